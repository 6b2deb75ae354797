package dev.switchboard.tailnet.tcp;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

import java.util.ArrayDeque;

/**
 * One connection of a {@link TcpStack} as a Vert.x {@link ReadStream} and {@link WriteStream} of
 * buffers, so it pipes to and from a NetSocket. Backpressure both ways: bytes are read out of the
 * connection only while the stream has demand, so a paused reader leaves them in the receive
 * buffer and the advertised window closes (RFC 9293 §3.8.6) — the sender slows and memory stays at
 * one receive buffer; writes go to the send buffer while it has room and queue behind it
 * otherwise, {@link #writeQueueFull} once the queue reaches its maximum and the drain handler when
 * it is half empty again. Writes complete when queued (the stream cannot know delivery). Owned by
 * the stack's event loop; handlers run there.
 */
public final class TcpSocket implements ReadStream<Buffer>, WriteStream<Buffer> {
    private static final int READ_CHUNK = 16 * 1024;

    private final TcpStack stack;
    private final TcpFlow flow;
    private final TcpConnection connection;
    private final FlowKey key;
    private final byte[] scratch;
    private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
    // owned by the stack's event loop
    private int headOffset;
    private int queued;
    private int maxQueued = 64 * 1024;
    private boolean drainPending;
    private long demand = Long.MAX_VALUE;
    private boolean endRequested;
    private boolean ended;
    private boolean closed;
    private boolean accepted;
    private boolean queuedForAccept;
    private boolean pumping;
    private boolean pumpAgain;
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Void> drainHandler;
    private Handler<Void> closeHandler;
    private Handler<Throwable> exceptionHandler;

    TcpSocket(TcpStack stack, TcpFlow flow, byte[] scratch) {
        this.stack = stack;
        this.flow = flow;
        this.connection = flow.connection;
        this.key = flow.key;
        this.scratch = scratch;
    }

    public byte[] remoteAddress() {
        return key.remoteAddress();
    }

    public int remotePort() {
        return key.remotePort();
    }

    public int localPort() {
        return key.localPort();
    }

    public TcpConnection connection() {
        return connection;
    }

    /** TCP_NODELAY for interactive traffic (terminal sessions): Nagle off. */
    public TcpSocket setNoDelay(boolean noDelay) {
        connection.setNoDelay(noDelay);
        stack.afterEvent(flow);
        return this;
    }

    // ---- ReadStream ----

    @Override
    public TcpSocket handler(Handler<Buffer> h) {
        handler = h;
        stack.afterEvent(flow);
        return this;
    }

    @Override
    public TcpSocket pause() {
        demand = 0;
        return this;
    }

    @Override
    public TcpSocket resume() {
        return fetch(Long.MAX_VALUE);
    }

    @Override
    public TcpSocket fetch(long amount) {
        demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
        stack.afterEvent(flow);
        return this;
    }

    @Override
    public TcpSocket endHandler(Handler<Void> h) {
        endHandler = h;
        return this;
    }

    @Override
    public TcpSocket exceptionHandler(Handler<Throwable> h) {
        exceptionHandler = h;
        return this;
    }

    // ---- WriteStream ----

    @Override
    public Future<Void> write(Buffer data) {
        if (endRequested || closed) {
            return Future.failedFuture(new TcpException("socket closed"));
        }
        queue.add(data);
        queued += data.length();
        if (writeQueueFull()) {
            // The writer may see it full now and wait for the drain, even if the flush below (or, from inside a
            // handler, after it) empties the queue at once.
            drainPending = true;
        }
        stack.afterEvent(flow);
        return Future.succeededFuture();
    }

    @Override
    public void write(Buffer data, Handler<AsyncResult<Void>> h) {
        Future<Void> f = write(data);
        if (h != null) {
            h.handle(f);
        }
    }

    /** Half-close: a FIN follows the queued bytes (RFC 9293 §3.10.4); reading goes on. */
    @Override
    public Future<Void> end() {
        endRequested = true;
        stack.afterEvent(flow);
        return Future.succeededFuture();
    }

    @Override
    public void end(Handler<AsyncResult<Void>> h) {
        Future<Void> f = end();
        if (h != null) {
            h.handle(f);
        }
    }

    /** ABORT (RFC 9293 §3.10.5): a RST, queued bytes discarded. */
    public void reset() {
        queue.clear();
        queued = 0;
        connection.abort();
        stack.afterEvent(flow);
    }

    @Override
    public TcpSocket setWriteQueueMaxSize(int maxSize) {
        maxQueued = maxSize;
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return queued >= maxQueued;
    }

    @Override
    public TcpSocket drainHandler(Handler<Void> h) {
        drainHandler = h;
        return this;
    }

    /** Called once the connection is fully closed (CLOSED or TIME_WAIT), after any exception. */
    public TcpSocket closeHandler(Handler<Void> h) {
        closeHandler = h;
        return this;
    }

    /** Bytes written but not yet in the connection's send buffer. */
    public int queuedBytes() {
        return queued;
    }

    // ---- for the stack ----

    void accepted() {
        accepted = true;
    }

    boolean isAccepted() {
        return accepted;
    }

    void queuedForAccept() {
        queuedForAccept = true;
    }

    boolean isQueuedForAccept() {
        return queuedForAccept;
    }

    /**
     * Moves bytes between the streams and the connection after any event; reentrant calls from
     * handlers only mark another round.
     */
    void pump() {
        if (pumping) {
            pumpAgain = true;
            return;
        }
        pumping = true;
        try {
            do {
                pumpAgain = false;
                flush();
                deliver();
                notifyEnd();
            } while (pumpAgain);
        } finally {
            pumping = false;
        }
    }

    private void flush() {
        while (!queue.isEmpty() && connection.writable() > 0) {
            Buffer head = queue.peek();
            int n = Math.min(Math.min(head.length() - headOffset, scratch.length), connection.writable());
            head.getBytes(headOffset, headOffset + n, scratch, 0);
            int taken = connection.write(scratch, 0, n);
            if (taken == 0) {
                break; // not writable in this state
            }
            headOffset += taken;
            queued -= taken;
            if (headOffset == head.length()) {
                queue.poll();
                headOffset = 0;
            }
        }
        if (writeQueueFull()) {
            drainPending = true;
        } else if (drainPending && queued <= maxQueued / 2) {
            drainPending = false;
            if (drainHandler != null) {
                drainHandler.handle(null);
            }
        }
        if (endRequested && queue.isEmpty()) {
            connection.close();
        }
    }

    private void deliver() {
        while (demand > 0 && handler != null && connection.readable() > 0) {
            byte[] chunk = new byte[Math.min(connection.readable(), READ_CHUNK)];
            connection.read(chunk, 0, chunk.length);
            if (demand != Long.MAX_VALUE) {
                demand--;
            }
            handler.handle(Buffer.buffer(chunk));
        }
    }

    private void notifyEnd() {
        if (!ended && connection.peerClosed() && connection.readable() == 0) {
            ended = true;
            if (endHandler != null) {
                endHandler.handle(null);
            }
        }
        TcpState state = connection.state();
        if (!closed && (state == TcpState.CLOSED || state == TcpState.TIME_WAIT)) {
            closed = true;
            if (connection.error() != TcpConnection.Error.NONE && exceptionHandler != null) {
                exceptionHandler.handle(new TcpException("connection " + connection.error()));
            }
            if (closeHandler != null) {
                closeHandler.handle(null);
            }
        }
    }
}
