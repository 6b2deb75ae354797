package dev.switchboard.tailnet.tcp;

import io.vertx.core.Handler;

import java.util.ArrayDeque;

/**
 * A passive open on one port of a {@link TcpStack}, with a bounded backlog: half-open connections
 * and established ones not yet handed to the application together stay at most {@code backlog};
 * a SYN beyond it is dropped (the peer retransmits it, as with a full Linux accept queue).
 * Established connections go to the handler at once unless the listener is paused, which is how
 * an application that cannot take more applies backpressure. Owned by the stack's event loop.
 */
public final class TcpListener {
    private final TcpStack stack;
    private final int port;
    private final int backlog;
    private final ArrayDeque<TcpSocket> ready = new ArrayDeque<>();
    // owned by the stack's event loop
    private Handler<TcpSocket> handler;
    private boolean paused;
    private int pending;

    TcpListener(TcpStack stack, int port, int backlog) {
        this.stack = stack;
        this.port = port;
        this.backlog = backlog;
    }

    /** The port listened on; 0 for {@link TcpStack#listenAll}. */
    public int port() {
        return port;
    }

    /** Connections handed over from now on; queued ones are handed at once unless paused. */
    public TcpListener handler(Handler<TcpSocket> h) {
        handler = h;
        handOver();
        return this;
    }

    public TcpListener pause() {
        paused = true;
        return this;
    }

    public TcpListener resume() {
        paused = false;
        handOver();
        return this;
    }

    /** Stops listening; connections already accepted or queued live on. */
    public void close() {
        stack.unlisten(this);
    }

    /** Half-open plus established-but-not-accepted connections. */
    public int pending() {
        return pending;
    }

    boolean full() {
        return pending >= backlog;
    }

    void halfOpen() {
        pending++;
    }

    /** A connection died before the application accepted it. */
    void abandoned(TcpSocket socket) {
        ready.remove(socket);
        pending--;
    }

    void established(TcpSocket socket) {
        ready.add(socket);
        handOver();
    }

    private void handOver() {
        while (!paused && handler != null && !ready.isEmpty()) {
            pending--;
            TcpSocket socket = ready.poll();
            socket.accepted();
            handler.handle(socket);
        }
    }
}
