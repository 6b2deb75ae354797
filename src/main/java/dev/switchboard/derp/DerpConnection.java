package dev.switchboard.derp;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

import java.net.InetSocketAddress;

/**
 * The byte stream under one DERP session, whatever carries it (upgraded HTTP/1.1 socket or WebSocket). Every
 * method is called on {@link #context()}'s event loop. Writes are buffered until {@link #flush()}, so a burst of
 * frames costs one system call.
 */
public interface DerpConnection {
    /** The event-loop context that owns this connection. */
    Context context();

    /**
     * Receives bytes in arbitrary chunks; frame boundaries are not preserved. A chunk may be recycled once the
     * handler returns: keep nothing from it without copying.
     */
    void handler(Handler<Buffer> handler);

    /** Called once when the connection is gone, however it ended. */
    void closeHandler(Handler<Void> handler);

    /** Queues bytes for writing without flushing. */
    void write(Buffer bytes);

    /** Like {@link #write(Buffer)}, taking ownership of a reference-counted buffer: it is released once written or failed. */
    void write(ByteBuf frame);

    void flush();

    /** True while the transport's outbound buffer is above its high-water mark. */
    boolean writeQueueFull();

    /** Called (once) when the outbound buffer has drained after {@link #writeQueueFull()} was true. */
    void drainHandler(Handler<Void> handler);

    void pause();

    void resume();

    void close();

    InetSocketAddress remoteAddress();
}
