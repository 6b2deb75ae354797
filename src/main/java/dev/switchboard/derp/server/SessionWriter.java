package dev.switchboard.derp.server;

import dev.switchboard.derp.DerpConnection;
import dev.switchboard.derp.Frames;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.util.function.Consumer;

/**
 * The single writer of one connection (derper's {@code sendLoop}): drains its {@link ClientSendQueue} by priority
 * (pong, control, disco, other packets) while the transport accepts, with one flush per burst, and waits for drain
 * when the transport is full, for at most the write timeout.
 *
 * <p>Threading: confined to the owning session's event loop; every field is owned by it.
 */
final class SessionWriter {
    // Immutable after construction.
    private final DerpConnection connection;
    private final ClientSendQueue queue;
    private final DerpMetrics metrics;
    private final Vertx vertx;
    /** Closes the session once its writes stalled past the write timeout; takes the log message. */
    private final Consumer<String> onWriteTimeout;

    // Owned by the session's event loop.
    private boolean open;
    /** Set by {@link #open}: the client's kind (mesh peer or not) is known only after the handshake. */
    private long writeTimeoutMillis;
    private boolean awaitingDrain;
    /** The data of the one Pong that may be pending (extra Pings are dropped, as derper does). */
    private Buffer pendingPong;
    private long writeTimer = -1;

    SessionWriter(DerpConnection connection, ClientSendQueue queue, DerpMetrics metrics, Vertx vertx,
                  Consumer<String> onWriteTimeout) {
        this.connection = connection;
        this.queue = queue;
        this.metrics = metrics;
        this.vertx = vertx;
        this.onWriteTimeout = onWriteTimeout;
    }

    /** The handshake is done: queued frames may be written from now on; 0 disables the write timeout. */
    void open(long writeTimeoutMillis) {
        this.writeTimeoutMillis = writeTimeoutMillis;
        open = true;
    }

    /** The session closed: writes nothing more and cancels the write timer. */
    void close() {
        open = false;
        cancelWriteTimer();
    }

    /** Queues a Pong for {@code pingData} unless one is already pending (then the Ping is dropped, as derper does). */
    void queuePong(Buffer pingData) {
        if (pendingPong == null) {
            pendingPong = pingData;
            queue.scheduleFlush();
        }
    }

    /** Writes while the transport accepts, flushes once, then waits for drain if frames remain. */
    void flush() {
        if (!open || awaitingDrain) {
            return;
        }
        if (writeQueuedFrames()) {
            connection.flush();
        }
        queue.wakeWaitingSenders();
        if (hasQueuedFrames()) {
            if (connection.writeQueueFull()) {
                awaitDrain();
            } else {
                queue.scheduleFlush();
            }
        }
    }

    /** Writes queued frames (unflushed) while the transport accepts them; true if it wrote any. */
    boolean writeQueuedFrames() {
        boolean wrote = false;
        while (!connection.writeQueueFull() && writeNextFrame()) {
            wrote = true;
        }
        return wrote;
    }

    /** Writes the next frame by priority (pong, control, disco, other packets); false if none is queued. */
    private boolean writeNextFrame() {
        if (pendingPong != null) {
            connection.write(Frames.pong(pendingPong));
            pendingPong = null;
            metrics.pongSent();
            return true;
        }
        Buffer controlFrame = queue.pollControl();
        if (controlFrame != null) {
            connection.write(controlFrame);
            return true;
        }
        ByteBuf packet = queue.pollPacket();
        if (packet == null) {
            return false;
        }
        metrics.packetSent(ClientSendQueue.packetLength(packet));
        connection.write(packet);
        return true;
    }

    private boolean hasQueuedFrames() {
        return pendingPong != null || !queue.isEmpty();
    }

    /** The transport is full: resume on drain, or close if it stays full past the write timeout. */
    private void awaitDrain() {
        awaitingDrain = true;
        if (writeTimeoutMillis > 0 && writeTimer < 0) {
            writeTimer = vertx.setTimer(writeTimeoutMillis, id -> {
                writeTimer = -1;
                metrics.writeTimedOut();
                onWriteTimeout.accept("write timeout after " + writeTimeoutMillis + " ms");
            });
        }
        connection.drainHandler(v -> {
            if (!awaitingDrain || !open) {
                return;
            }
            awaitingDrain = false;
            cancelWriteTimer();
            flush();
        });
    }

    private void cancelWriteTimer() {
        if (writeTimer >= 0) {
            vertx.cancelTimer(writeTimer);
            writeTimer = -1;
        }
    }
}
