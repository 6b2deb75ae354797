package dev.switchboard.coordinator.transport;

import dev.switchboard.coordinator.PeerStream;
import dev.switchboard.coordinator.proto.CoordinateResponse;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A peer's responses on its WebSocket: one binary message per CoordinateResponse, queued in a buffer of
 * {@link PeerStream#RESPONSE_BUFFER} and written on the socket's event loop while the socket accepts more.
 * {@link #offer} and {@link #close} may be called from any thread (the coordinator lock holder).
 */
final class WebSocketPeerStream implements PeerStream {
    private final ServerWebSocket webSocket;
    private final Context context;
    private final ArrayBlockingQueue<CoordinateResponse> queue = new ArrayBlockingQueue<>(RESPONSE_BUFFER);
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private volatile CoordinateResponse finalResponse;
    private volatile boolean closing;
    private volatile short closeStatus = CoordinateRoutes.NORMAL_CLOSURE;

    WebSocketPeerStream(ServerWebSocket webSocket, Context context) {
        this.webSocket = webSocket;
        this.context = context;
    }

    @Override
    public boolean offer(CoordinateResponse response) {
        if (closing || !queue.offer(response)) {
            return false;
        }
        scheduleFlush();
        return true;
    }

    @Override
    public void close(String error) {
        close(error, CoordinateRoutes.NORMAL_CLOSURE);
    }

    /** As {@link #close(String)}, with the WebSocket close status (1009 for an oversized request). */
    void close(String error, short status) {
        if (!closing) {
            closeStatus = status; // the first close decides: a later one (e.g. the coordinator's lost) keeps 1009
        }
        if (error != null) {
            finalResponse = CoordinateResponse.newBuilder().setError(error).build();
        }
        closing = true;
        scheduleFlush();
    }

    private void scheduleFlush() {
        if (flushScheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> flush());
        }
    }

    private void flush() {
        flushScheduled.set(false);
        if (webSocket.isClosed()) {
            queue.clear(); // the peer hung up first; the coordinator learns it from the close handler
            return;
        }
        CoordinateResponse next;
        while (!webSocket.writeQueueFull() && (next = queue.poll()) != null) {
            webSocket.writeBinaryMessage(Buffer.buffer(next.toByteArray()));
        }
        if (!queue.isEmpty()) {
            webSocket.drainHandler(v -> scheduleFlush());
            return;
        }
        if (closing && !webSocket.isClosed()) {
            CoordinateResponse last = finalResponse;
            if (last != null) {
                webSocket.writeBinaryMessage(Buffer.buffer(last.toByteArray()));
            }
            webSocket.close(closeStatus);
        }
    }
}
