package dev.switchboard.derp.server;

import dev.switchboard.derp.DerpConnection;
import dev.switchboard.derp.FrameType;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory {@link DerpConnection} on a real Vert.x context: records every written frame (each session write is
 * one whole frame), lets a test feed bytes in and make the transport unwritable. Like the real links, every method
 * is called on the context's loop; the test's own calls go through {@link #receive} and the flags.
 */
final class FakeConnection implements DerpConnection {
    private final Context context;
    private final List<Buffer> written = new CopyOnWriteArrayList<>();
    private volatile Handler<Buffer> handler;
    private volatile Handler<Void> closeHandler;
    private volatile boolean writeQueueFull;
    private volatile boolean closed;

    FakeConnection(Context context) {
        this.context = context;
    }

    /** Delivers {@code bytes} to the session as one read, on its loop. */
    void receive(Buffer bytes) {
        context.runOnContext(v -> handler.handle(bytes));
    }

    /** From now on the transport reports its outbound buffer full (as a client that stopped reading). */
    void stall() {
        writeQueueFull = true;
    }

    /** The peer hangs up. */
    void hangUp() {
        context.runOnContext(v -> close());
    }

    boolean isClosed() {
        return closed;
    }

    /** The frames written so far, headers included. */
    List<Buffer> written() {
        return List.copyOf(written);
    }

    long count(FrameType type) {
        return written.stream().filter(frame -> frame.getUnsignedByte(0) == type.code()).count();
    }

    @Override
    public Context context() {
        return context;
    }

    @Override
    public void handler(Handler<Buffer> handler) {
        this.handler = handler;
    }

    @Override
    public void closeHandler(Handler<Void> handler) {
        this.closeHandler = handler;
    }

    @Override
    public void write(Buffer bytes) {
        written.add(bytes.copy());
    }

    @Override
    public void write(ByteBuf frame) {
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        written.add(Buffer.buffer(bytes));
    }

    @Override
    public void flush() {
    }

    @Override
    public boolean writeQueueFull() {
        return writeQueueFull;
    }

    @Override
    public void drainHandler(Handler<Void> handler) {
    }

    @Override
    public void pause() {
    }

    @Override
    public void resume() {
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (closeHandler != null) {
            closeHandler.handle(null);
        }
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 41641);
    }
}
