package dev.switchboard.derp.server;

import dev.switchboard.derp.ClientFrames;
import dev.switchboard.derp.ClientInfo;
import dev.switchboard.derp.DerpConnection;
import dev.switchboard.derp.DerpProtocolException;
import dev.switchboard.derp.FrameLimits;
import dev.switchboard.derp.FrameReader;
import dev.switchboard.derp.FrameType;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.Handshake;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.PeerPresentFlags;
import dev.switchboard.derp.ServerInfo;
import dev.switchboard.logging.RateLimitedLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One DERP connection's life on its event loop: the handshake (ServerKey out, ClientInfo in, ServerInfo out), the
 * reader that hands each later frame to a {@link ClientFrameHandler}, and the close. Its parts:
 * {@link ClientSendQueue} (what other sessions queue for this client, called from their loops),
 * {@link SessionWriter} (the single writer draining it) and {@link SenderBackpressure} (this client paused behind
 * a full destination).
 *
 * <p>Threading: everything is confined to the connection's event loop except what is marked otherwise. Other
 * sessions' loops use only {@link #sendQueue()}, {@link #enqueueControl}, {@link #closeFromAnyThread},
 * {@link #closeWith} and the handshake's results ({@link #key()}, {@link #peerPresentFrame()},
 * {@link #lastActivityNanos()}).
 */
final class ClientSession {
    private static final Logger LOG = Logger.getLogger(ClientSession.class);
    /** Bad connections are counted by reason in metrics; their log lines are sampled (10 per 10 s). */
    private static final RateLimitedLog REJECTIONS = new RateLimitedLog(LOG::info, System::nanoTime,
            java.time.Duration.ofSeconds(10), 10, "DERP connection errors");

    /** VERIFYING: ClientInfo read, waiting for {@link ClientAdmission}; nothing more is read meanwhile. */
    private enum State { HANDSHAKE, VERIFYING, ACTIVE, CLOSED }

    // Immutable after construction; read from any thread.
    private final DerpServer server;
    private final DerpMetrics metrics;
    private final DerpConnection connection;
    private final Context context;
    private final boolean notIdeal;
    private final InetSocketAddress remote;
    /** Producer side used by any session's loop; consumer side by this one's (see its javadoc). */
    private final ClientSendQueue sendQueue;
    // Owned by the session's event loop.
    private final SessionWriter writer;
    private final SenderBackpressure backpressure;
    private final FrameReader reader = new FrameReader(FrameLimits.SERVER_HANDSHAKE);

    // Any thread: written by the event loop, read by others (closing, and duplicate selection in ClientSet).
    private volatile State state = State.HANDSHAKE;
    private volatile long lastActivityNanos;

    // Written once by the handshake on the event loop, then read-only; other loops see them only after the
    // registry lock (DerpServer#register) published them.
    private NodeKey key;
    private ClientInfo info;
    private ClientSet clientSet;
    private Buffer peerPresentFrame;

    // Owned by the session's event loop.
    private ClientFrameHandler handler;
    private long handshakeTimer = -1;
    private long keepAliveTimer = -1;
    /** The receive-rate bucket once the handshake has told a client from a mesh peer; null when unlimited. */
    private ReceiveRate.Bucket receiveBudget;
    private boolean throttled;

    ClientSession(DerpServer server, DerpConnection connection, boolean notIdeal) {
        this.server = server;
        this.metrics = server.metrics();
        this.connection = connection;
        this.context = connection.context();
        this.notIdeal = notIdeal;
        this.remote = connection.remoteAddress();
        this.lastActivityNanos = server.nanoTime();
        DerpServerOptions options = server.options();
        this.sendQueue = new ClientSendQueue(metrics, options, context, this::flush, this::closeFromAnyThread);
        this.writer = new SessionWriter(connection, sendQueue, metrics, server.vertx(), this::closeForWriteTimeout);
        this.backpressure = new SenderBackpressure(connection, metrics, server.vertx(),
                options.backpressureTimeout().toMillis(), this::resumeReading);
    }

    NodeKey key() {
        return key;
    }

    /** Any thread. */
    long lastActivityNanos() {
        return lastActivityNanos;
    }

    /** Any thread: the queues other sessions deliver to. */
    ClientSendQueue sendQueue() {
        return sendQueue;
    }

    Buffer peerPresentFrame() {
        return peerPresentFrame;
    }

    /** Any thread: queues a control frame (PeerGone, PeerPresent, KeepAlive...); false if it was not queued. */
    boolean enqueueControl(Buffer frame) {
        return state != State.CLOSED && sendQueue.enqueueControl(frame);
    }

    /** Sends ServerKey (in fast start too) and waits for ClientInfo under the handshake deadline. */
    void start() {
        connection.closeHandler(v -> onClosed());
        connection.handler(this::onData);
        handshakeTimer = server.vertx().setTimer(server.options().handshakeTimeout().toMillis(),
                id -> reject("handshake_timeout", "no ClientInfo within " + server.options().handshakeTimeout()));
        connection.write(Frames.serverKey(server.publicKey()));
        connection.flush();
    }

    // ---- reading ----------------------------------------------------------------------------------------------

    private void onData(Buffer chunk) {
        if (state == State.CLOSED) {
            return;
        }
        reader.append(chunk);
        processFrames();
        reader.detach();
        throttle(chunk.length());
    }

    /** Over the receive budget: stop reading until the debt is repaid (TCP slows the client; nothing is dropped). */
    private void throttle(int bytes) {
        if (receiveBudget == null || throttled || state == State.CLOSED) {
            return;
        }
        long pauseNanos = receiveBudget.take(bytes, server.nanoTime());
        if (pauseNanos > 0) {
            throttled = true;
            connection.pause();
            server.vertx().setTimer(Math.max(1, pauseNanos / 1_000_000), id -> {
                throttled = false;
                resumeReading();
            });
        }
    }

    private void processFrames() {
        try {
            while (!backpressure.paused() && state != State.CLOSED && state != State.VERIFYING) {
                FrameType type = reader.next();
                if (type == null) {
                    return;
                }
                if (state == State.HANDSHAKE) {
                    handleClientInfo(reader.payload());
                } else {
                    lastActivityNanos = server.nanoTime();
                    clientSet.noteActivity(this);
                    handler.dispatch(type, reader);
                }
            }
        } catch (DerpProtocolException e) {
            reject(e.metricReason(), e.getMessage());
        }
    }

    /** The held packet was queued or dropped: read on, and resume the socket unless paused or closed again. */
    private void resumeReading() {
        processFrames();
        if (!backpressure.paused() && !throttled && state != State.CLOSED) {
            connection.resume();
        }
    }

    // ---- handshake --------------------------------------------------------------------------------------------

    private void handleClientInfo(Buffer payload) throws DerpProtocolException {
        Handshake.OpenedClientInfo opened = ClientFrames.clientInfo(server.privateKey(), payload);
        key = opened.clientKey();
        info = opened.info();
        boolean meshPeer = server.isMeshKey(info.meshKey());
        ClientAdmission admission = server.admission();
        if (admission == null || meshPeer) {
            completeHandshake(meshPeer);
            return;
        }
        state = State.VERIFYING;
        connection.pause();
        admission.admits(key).otherwise(false).onComplete(r -> context.runOnContext(v -> {
            if (state != State.VERIFYING) {
                return; // closed meanwhile (handshake deadline, peer hung up)
            }
            if (Boolean.TRUE.equals(r.result())) {
                completeHandshake(false);
                resumeReading();
            } else {
                reject("client_not_verified", "client " + key.shortString() + " rejected: not a known peer");
            }
        }));
    }

    /** Registers the client and answers ServerInfo: from now on it relays. */
    private void completeHandshake(boolean meshPeer) {
        peerPresentFrame = Frames.peerPresent(key, remote == null ? null : remote.getAddress(),
                remote == null ? 0 : remote.getPort(), PeerPresentFlags.of(meshPeer, info.isProber(), notIdeal));
        Buffer serverInfo = Frames.serverInfo(server.privateKey(), key, ServerInfo.current());
        server.vertx().cancelTimer(handshakeTimer);
        reader.limits(FrameLimits.SERVER);
        clientSet = server.register(this);
        handler = new ClientFrameHandler(server, this, meshPeer, clientSet, server.nanoTime(), writer, backpressure);
        ReceiveRate rate = server.options().receiveRate();
        receiveBudget = rate.limited() && !meshPeer ? rate.bucket(server.nanoTime()) : null;
        state = State.ACTIVE;
        writer.open((meshPeer ? server.options().meshWriteTimeout() : server.options().writeTimeout()).toMillis());
        if (notIdeal) {
            metrics.notIdealConnection(true);
        }
        connection.write(serverInfo);
        connection.flush();
        startKeepAlive();
        LOG.debugf("derp: %s connected from %s (%s)", key.shortString(), remote, info);
    }

    /** KeepAlive every interval plus a jitter chosen once per connection, as derper's {@code sendLoop}. */
    private void startKeepAlive() {
        long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, server.options().keepAliveJitter().toMillis()));
        keepAliveTimer = server.vertx().setPeriodic(server.options().keepAlive().toMillis() + jitter,
                id -> enqueueControl(Frames.keepAlive()));
    }

    // ---- writing ----------------------------------------------------------------------------------------------

    /** Run by {@link ClientSendQueue#scheduleFlush} on this loop. */
    private void flush() {
        if (state == State.ACTIVE) {
            writer.flush();
        }
    }

    // ---- closing ----------------------------------------------------------------------------------------------

    /** Any thread: writes {@code lastFrame} after whatever is queued, then closes; completes once closed. */
    Future<Void> closeWith(Buffer lastFrame) {
        Promise<Void> closed = Promise.promise();
        context.runOnContext(v -> {
            if (state == State.CLOSED) {
                closed.tryComplete();
                return;
            }
            writer.writeQueuedFrames();
            connection.write(lastFrame);
            connection.flush();
            close("server restarting", DropReason.GONE_DISCONNECTED);
            closed.tryComplete();
        });
        return closed.future();
    }

    /** Any thread. */
    void closeFromAnyThread(String reason) {
        context.runOnContext(v -> close(reason, DropReason.GONE_DISCONNECTED));
    }

    /** The transport stayed unwritable past the write timeout: what is still queued failed to be written. */
    private void closeForWriteTimeout(String message) {
        close(message, DropReason.WRITE_ERROR);
    }

    private void reject(String metricReason, String message) {
        metrics.closedByError(metricReason);
        REJECTIONS.log("derp: closing connection from %s%s: %s", remote,
                key == null ? "" : " (" + key.shortString() + ")", message);
        close(message, DropReason.GONE_DISCONNECTED);
    }

    private void close(String reason, DropReason queuedPackets) {
        if (state == State.CLOSED) {
            return;
        }
        LOG.debugf("derp: closing %s: %s", key == null ? remote : key.shortString(), reason);
        closed(queuedPackets);
        connection.close();
    }

    /** The transport is gone (closed by us or by the peer). */
    private void onClosed() {
        closed(DropReason.GONE_DISCONNECTED);
    }

    /**
     * Releases everything once. The send queue closes first, so other loops' offers get GONE at once, and what it
     * holds is dropped as {@code queuedPackets}; then the timers and the held packet.
     */
    private void closed(DropReason queuedPackets) {
        if (state == State.CLOSED) {
            return;
        }
        boolean registered = state == State.ACTIVE;
        state = State.CLOSED;
        server.release(remote == null ? null : remote.getAddress());
        sendQueue.close(queuedPackets);
        cancelTimers();
        writer.close();
        backpressure.close();
        if (registered) {
            server.unregister(this);
            handler.close();
            if (notIdeal) {
                metrics.notIdealConnection(false);
            }
        }
    }

    private void cancelTimers() {
        for (long timer : new long[]{handshakeTimer, keepAliveTimer}) {
            if (timer >= 0) {
                server.vertx().cancelTimer(timer);
            }
        }
    }
}
