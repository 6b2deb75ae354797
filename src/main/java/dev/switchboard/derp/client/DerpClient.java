package dev.switchboard.derp.client;

import dev.switchboard.derp.ClientInfo;
import dev.switchboard.derp.DerpConnection;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.ServerInfo;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.util.concurrent.ThreadLocalRandom;

/**
 * An asynchronous DERP client on Vert.x: HTTP upgrade (optionally fast start) or WebSocket, the handshake, and
 * every frame a regular client or mesh peer sends. Used by tests, the smoke test and the bench tools.
 *
 * <p>This class is the send API; {@link DerpDialer} opens the connection and {@link DerpReceiver} reads it (the
 * handshake and every server frame). The byte stream is a {@link DerpConnection}, whatever carries it.
 *
 * <p>Event-loop confined: all state lives on the connection's context; public methods may be called from any
 * thread and hop onto it. Writes are flushed once per event-loop turn, so a burst of sends is one system call.
 */
public final class DerpClient {
    /**
     * {@link dev.switchboard.derp.DerpProtocolException#metricReason()} of a non-101 answer to {@code Upgrade: DERP}: something answers
     * HTTP there (the relay, or a proxy in front of it) but did not switch protocols; WebSocket may still pass.
     */
    public static final String UPGRADE_REFUSED = "upgrade_refused";

    // Immutable.
    private final DerpClientOptions options;
    private final Context context;
    private final Runnable closeTransport;
    private final DerpReceiver receiver;
    /** Completed on the event loop; any thread may wait on its future. */
    private final Promise<Void> closed = Promise.promise();

    // Owned by the event loop.
    /** Set once by {@link #attach}, before the first byte can arrive. */
    private DerpConnection connection;
    private boolean flushScheduled;

    // Written by any thread, read on the event loop.
    private volatile Handler<DerpMessage> messageHandler = m -> {
    };

    /** See {@link DerpReceiver#DerpReceiver} for {@code awaitResponseHead} and {@code fastStartKey}. */
    DerpClient(DerpClientOptions options, Context context, Runnable closeTransport, boolean awaitResponseHead,
               NodeKey fastStartKey) {
        this.options = options;
        this.context = context;
        this.closeTransport = closeTransport;
        this.receiver = new DerpReceiver(this, options.privateKey(), awaitResponseHead, fastStartKey);
    }

    /** Connects on the caller's context (or, off Vert.x, the thread's sticky one); see {@link #connect(Vertx, Context, DerpClientOptions)}. */
    public static Future<DerpClient> connect(Vertx vertx, DerpClientOptions options) {
        return connect(vertx, vertx.getOrCreateContext(), options);
    }

    /** Connects on {@code context}'s event loop and completes once ServerInfo has been received and opened. */
    public static Future<DerpClient> connect(Vertx vertx, Context context, DerpClientOptions options) {
        Promise<DerpClient> result = Promise.promise();
        context.runOnContext(v -> DerpDialer.dial(vertx, options, context).onComplete(result));
        return result.future();
    }

    // ---- called by DerpDialer and DerpReceiver, on the event loop ------------------------------------------------

    void attach(DerpConnection transport) {
        this.connection = transport;
        transport.handler(receiver::onData);
        transport.closeHandler(v -> {
            closed.tryComplete();
            receiver.closed();
            closeTransport.run();
        });
    }

    Future<DerpClient> handshakeFuture() {
        return receiver.connected();
    }

    /** ClientInfo sealed to {@code server}: regular, or a mesh peer's with its key. */
    Buffer clientInfoFrame(NodeKey server) {
        ClientInfo info = options.meshKey().map(ClientInfo::mesh).orElseGet(ClientInfo::regular);
        return Frames.clientInfo(options.privateKey(), server, info);
    }

    /** Writes and flushes at once: handshake frames, which nothing else follows in this turn. */
    void writeNow(Buffer bytes) {
        connection.write(bytes);
        connection.flush();
    }

    void emit(DerpMessage message) {
        messageHandler.handle(message);
    }

    void fail(Throwable cause) {
        receiver.failed(cause);
        closed.tryFail(cause);
        connection.close();
    }

    // ---- public API ---------------------------------------------------------------------------------------------

    /** Receives every message after the handshake, on the client's context. */
    public DerpClient messageHandler(Handler<DerpMessage> handler) {
        this.messageHandler = handler;
        return this;
    }

    public DerpClient send(NodeKey destination, Buffer packet) {
        return write(Frames.sendPacket(destination, packet));
    }

    /** ForwardPacket (mesh peers): deliver {@code packet} from {@code source} to a client of the server. */
    public DerpClient forward(NodeKey source, NodeKey destination, Buffer packet) {
        return write(Frames.forwardPacket(source, destination, packet));
    }

    public DerpClient notePreferred(boolean preferred) {
        return write(Frames.notePreferred(preferred));
    }

    public DerpClient watchConns() {
        return write(Frames.watchConns());
    }

    public DerpClient closePeer(NodeKey peer) {
        return write(Frames.closePeer(peer));
    }

    /** Sends a Ping with random data; completes when the matching Pong arrives. */
    public Future<Void> ping() {
        Promise<Void> pong = Promise.promise();
        context.runOnContext(v -> {
            long data = ThreadLocalRandom.current().nextLong();
            receiver.expectPong(data, pong);
            write(Frames.ping(Buffer.buffer(8).appendLong(data)));
        });
        return pong.future();
    }

    /** Writes any bytes; tests use it to send malformed frames. */
    public DerpClient write(Buffer bytes) {
        if (Vertx.currentContext() == context) {
            connection.write(bytes);
            scheduleFlush();
        } else {
            context.runOnContext(v -> write(bytes));
        }
        return this;
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            context.runOnContext(v -> {
                flushScheduled = false;
                connection.flush();
            });
        }
    }

    /** True while the socket's outbound buffer is full; call on the client's context. */
    public boolean writeQueueFull() {
        return connection.writeQueueFull();
    }

    public void drainHandler(Handler<Void> handler) {
        connection.drainHandler(handler);
    }

    public NodeKey serverKey() {
        return receiver.serverKey();
    }

    public ServerInfo serverInfo() {
        return receiver.serverInfo();
    }

    public NodeKey publicKey() {
        return options.privateKey().publicKey();
    }

    public Context context() {
        return context;
    }

    /** Completes when the connection closes (fails if it closed because of a protocol error). */
    public Future<Void> closeFuture() {
        return closed.future();
    }

    public Future<Void> close() {
        context.runOnContext(v -> connection.close());
        return closed.future().recover(e -> Future.succeededFuture());
    }
}
