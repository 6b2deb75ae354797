package dev.switchboard.coordinator.client;

import dev.switchboard.coordinator.proto.CoordinateRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded send queue. Callers on any thread {@link #reserve} a slot before handing a request to the event loop;
 * the slot is freed when the request is written to the socket or dropped. Requests the client generates itself
 * (the resync after a reconnect, disconnect) are uncounted: their number is bounded by the client's own state.
 * Everything but {@link #reserve} runs on the client's event loop.
 */
final class Outbox {
    private record Outgoing(CoordinateRequest request, boolean counted) {
    }

    private final int limit;
    // Any thread: slots taken and not yet freed.
    private final AtomicInteger reserved = new AtomicInteger();
    // Owned by the client's event loop.
    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();

    Outbox(int limit) {
        this.limit = limit;
    }

    /** Takes a slot; false when {@code limit} requests are already waiting. Any thread. */
    boolean reserve() {
        if (reserved.incrementAndGet() > limit) {
            reserved.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Frees a reserved slot whose request will not be sent (nothing to replay while disconnected). */
    void unreserve() {
        reserved.decrementAndGet();
    }

    void add(CoordinateRequest request, boolean counted) {
        queue.add(new Outgoing(request, counted));
    }

    /**
     * Writes while the socket accepts more; the client calls it again from the socket's drain handler. Write
     * failures surface as the socket closing.
     */
    void flush(WebSocket socket) {
        Outgoing next;
        while (!socket.writeQueueFull() && (next = queue.poll()) != null) {
            socket.writeBinaryMessage(Buffer.buffer(next.request().toByteArray()));
            free(next);
        }
    }

    /** Drops everything queued (the stream is gone; the client's state is re-sent on the next one). */
    void clear() {
        Outgoing dropped;
        while ((dropped = queue.poll()) != null) {
            free(dropped);
        }
    }

    private void free(Outgoing outgoing) {
        if (outgoing.counted()) {
            reserved.decrementAndGet();
        }
    }
}
