package dev.switchboard.derp.server;

import dev.switchboard.derp.DerpConnection;
import dev.switchboard.derp.ClientInfo;
import dev.switchboard.derp.DerpLimits;
import dev.switchboard.derp.DerpProtocolException;
import dev.switchboard.derp.DiscoPacket;
import dev.switchboard.derp.Frame;
import dev.switchboard.derp.FrameLimits;
import dev.switchboard.derp.FrameReader;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.Handshake;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.PeerGoneReason;
import dev.switchboard.derp.PeerPresentFlags;
import dev.switchboard.derp.ServerInfo;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One DERP connection: its handshake, its reader (dispatch by frame type) and its single writer, which drains the
 * send queues in batches with one flush per burst.
 *
 * <p>Threading: everything not marked otherwise is confined to the connection's event loop. Other connections'
 * loops call only {@link #offerPacket}, {@link #enqueueControl}, {@link #waitForRoom} and
 * {@link #closeFromAnyThread}, which touch the concurrent queues and the volatile {@link #state}.
 *
 * <p>Overload policy: the packet queue is bounded. When it is full the <em>sender</em> is paused (its socket stops
 * being read, so TCP slows it down) and its packet is held until the receiver drains, for at most
 * {@link DerpServerOptions#backpressureTimeout()}; only then is the packet dropped as {@code queue_tail}. Disco
 * packets and packets from mesh peers never wait: their queue drops its oldest entry ({@code queue_head}).
 *
 * <p>Packet frames are reference-counted direct buffers. Whoever takes one out of a queue (or out of
 * {@link #held}) owns it: it either passes it to the connection's writer or releases it when dropping it.
 */
final class ClientSession {
    private static final Logger LOG = Logger.getLogger(ClientSession.class);

    private enum State { HANDSHAKE, ACTIVE, CLOSED }

    private enum Offer { QUEUED, FULL, GONE, DROPPED }

    /** A packet waiting for room in {@code target}'s queue while this session is paused. */
    private record HeldPacket(ClientSession target, ByteBuf frame) {
    }

    private final DerpServer server;
    private final DerpMetrics metrics;
    private final DerpConnection connection;
    private final Context context;
    private final boolean notIdeal;
    private final InetSocketAddress remote;
    private final FrameReader reader = new FrameReader(FrameLimits.SERVER_HANDSHAKE);
    private final NotHereLimiter notHereLimiter = new NotHereLimiter();

    // Shared with other event loops.
    private volatile State state = State.HANDSHAKE;
    private volatile long lastActivityNanos;
    private final ArrayBlockingQueue<ByteBuf> packets;
    private final ArrayBlockingQueue<ByteBuf> discoPackets;
    private final ConcurrentLinkedQueue<Buffer> control = new ConcurrentLinkedQueue<>();
    private final AtomicInteger controlSize = new AtomicInteger();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final ConcurrentLinkedQueue<ClientSession> waitingSenders = new ConcurrentLinkedQueue<>();

    // Set once by the handshake, then read-only (published by the registry lock and the volatile state).
    private NodeKey key;
    private ClientInfo info;
    private boolean meshPeer;
    private ClientSet clientSet;
    private Buffer peerPresentFrame;

    // Confined to the event loop.
    private Buffer pendingPong;
    private HeldPacket held;
    private boolean readPaused;
    private boolean awaitingDrain;
    private boolean preferred;
    private long connectedAtNanos;
    private long handshakeTimer = -1;
    private long keepAliveTimer = -1;
    private long writeTimer = -1;
    private long heldTimer = -1;

    ClientSession(DerpServer server, DerpConnection connection, boolean notIdeal) {
        this.server = server;
        this.metrics = server.metrics();
        this.connection = connection;
        this.context = connection.context();
        this.notIdeal = notIdeal;
        this.remote = connection.remoteAddress();
        this.lastActivityNanos = server.nanoTime();
        int depth = server.options().sendQueueDepth();
        this.packets = new ArrayBlockingQueue<>(depth);
        this.discoPackets = new ArrayBlockingQueue<>(depth);
    }

    NodeKey key() {
        return key;
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    int queuedPackets() {
        return packets.size() + discoPackets.size();
    }

    Buffer peerPresentFrame() {
        return peerPresentFrame;
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
    }

    private void processFrames() {
        try {
            while (!readPaused && state != State.CLOSED) {
                Frame frame = reader.poll();
                if (frame == null) {
                    return;
                }
                if (state == State.HANDSHAKE) {
                    handleClientInfo(frame.payload());
                } else {
                    lastActivityNanos = server.nanoTime();
                    clientSet.noteActivity(this);
                    dispatch(frame);
                }
            }
        } catch (DerpProtocolException e) {
            reject(e.metricReason(), e.getMessage());
        }
    }

    private void dispatch(Frame frame) throws DerpProtocolException {
        Buffer payload = frame.payload();
        switch (frame.type()) {
            case SEND_PACKET -> handleSendPacket(payload);
            case FORWARD_PACKET -> handleForwardPacket(requireMesh(frame, payload));
            case NOTE_PREFERRED -> handleNotePreferred(payload.getByte(0) != 0);
            case PING -> handlePing(payload);
            case WATCH_CONNS -> server.addWatcher(requireMesh(frame, this));
            case CLOSE_PEER -> handleClosePeer(NodeKey.read(requireMesh(frame, payload), 0));
            default -> metrics.unknownFrame();
        }
    }

    /** Passes {@code value} through if this connection presented the mesh key; otherwise the frame is fatal. */
    private <T> T requireMesh(Frame frame, T value) throws DerpProtocolException {
        if (!meshPeer) {
            throw new DerpProtocolException("insufficient_permissions",
                    "insufficient permissions for " + frame.type() + " (no mesh key)");
        }
        return value;
    }

    private void handleClientInfo(Buffer payload) throws DerpProtocolException {
        Handshake.OpenedClientInfo opened = Handshake.openClientInfo(server.privateKey(), payload);
        key = opened.clientKey();
        info = opened.info();
        meshPeer = server.isMeshKey(info.meshKey());
        peerPresentFrame = Frames.peerPresent(key, remote == null ? null : remote.getAddress(),
                remote == null ? 0 : remote.getPort(), PeerPresentFlags.of(meshPeer, info.isProber(), notIdeal));
        Buffer serverInfo = Frames.serverInfo(server.privateKey(), key, ServerInfo.current());
        server.vertx().cancelTimer(handshakeTimer);
        reader.limits(FrameLimits.SERVER);
        clientSet = server.register(this);
        state = State.ACTIVE;
        connectedAtNanos = server.nanoTime();
        if (notIdeal) {
            metrics.notIdealConnection(true);
        }
        connection.write(serverInfo);
        connection.flush();
        long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, server.options().keepAliveJitter().toMillis()));
        keepAliveTimer = server.vertx().setPeriodic(server.options().keepAlive().toMillis() + jitter,
                id -> enqueueControl(Frames.keepAlive()));
        LOG.debugf("derp: %s connected from %s (%s)", key.shortString(), remote, info);
    }

    private void handleSendPacket(Buffer payload) {
        NodeKey destination = NodeKey.read(payload, 0);
        int length = payload.length() - DerpLimits.KEY_LEN;
        boolean disco = DiscoPacket.looksLikeDisco(payload, DerpLimits.KEY_LEN, length);
        metrics.packetReceived(disco, length);
        ClientSet set = server.lookup(destination);
        ClientSession target = set == null ? null : set.active();
        if (target == null) {
            dropUnroutable(destination, set, disco, length, DropReason.UNKNOWN_DEST);
            return;
        }
        if (!clientSet.sentTo.contains(destination)) {
            clientSet.sentTo.add(destination);
        }
        deliver(target, Frames.recvPacket(server.packetAllocator(), key, payload, DerpLimits.KEY_LEN, length), disco,
                length);
    }

    /** One hop only: a forwarded packet goes to a local client or nowhere. */
    private void handleForwardPacket(Buffer payload) {
        NodeKey source = NodeKey.read(payload, 0);
        NodeKey destination = NodeKey.read(payload, DerpLimits.KEY_LEN);
        int offset = 2 * DerpLimits.KEY_LEN;
        int length = payload.length() - offset;
        boolean disco = DiscoPacket.looksLikeDisco(payload, offset, length);
        metrics.packetForwardedIn();
        metrics.packetReceived(disco, length);
        ClientSet set = server.lookup(destination);
        ClientSession target = set == null ? null : set.active();
        if (target == null) {
            dropUnroutable(destination, set, disco, length, DropReason.UNKNOWN_DEST_ON_FWD);
            return;
        }
        deliver(target, Frames.recvPacket(server.packetAllocator(), source, payload, offset, length), disco, length);
    }

    private void dropUnroutable(NodeKey destination, ClientSet set, boolean disco, int length, DropReason reason) {
        boolean dup = set != null && set.isDup();
        metrics.packetDropped(dup ? DropReason.DUP_CLIENT : reason, disco, length);
        if (disco && !dup && notHereLimiter.tryAcquire(server.nanoTime())
                && enqueueControl(Frames.peerGone(destination, PeerGoneReason.NOT_HERE))) {
            metrics.peerGoneSent(PeerGoneReason.NOT_HERE);
        }
    }

    private void deliver(ClientSession target, ByteBuf frame, boolean disco, int length) {
        boolean mayWait = !disco && !meshPeer;
        switch (target.offerPacket(frame, disco, mayWait)) {
            case GONE -> {
                frame.release();
                metrics.packetDropped(DropReason.GONE_DISCONNECTED, disco, length);
            }
            case FULL -> hold(target, frame);
            default -> {
            }
        }
    }

    private void handleNotePreferred(boolean nowPreferred) {
        if (nowPreferred == preferred) {
            return;
        }
        preferred = nowPreferred;
        metrics.homeChanged(nowPreferred);
        // Like derper, a client that declares its home right after connecting is not a "move".
        if (server.nanoTime() - connectedAtNanos > 5_000_000_000L) {
            metrics.homeMoved(nowPreferred);
        }
    }

    /** At most one pong may be pending; extra pings are dropped, as derper does. */
    private void handlePing(Buffer payload) {
        metrics.pingReceived();
        if (pendingPong == null) {
            pendingPong = payload.getBuffer(0, DerpLimits.PING_DATA_LEN);
            scheduleFlush();
        }
    }

    private void handleClosePeer(NodeKey target) {
        if (!server.closePeer(target)) {
            LOG.debugf("derp: ClosePeer from %s: failed to find peer %s", key.shortString(), target.shortString());
        }
    }

    // ---- backpressure (sender side) ---------------------------------------------------------------------------

    private void hold(ClientSession target, ByteBuf frame) {
        held = new HeldPacket(target, frame);
        metrics.senderPaused();
        readPaused = true;
        connection.pause();
        heldTimer = server.vertx().setTimer(server.options().backpressureTimeout().toMillis(), id -> {
            heldTimer = -1;
            if (held != null) {
                metrics.packetDropped(DropReason.QUEUE_TAIL, false, packetLength(held.frame()));
                held.frame().release();
                releaseHeld();
            }
        });
        target.waitForRoom(this);
    }

    /** Called on this session's loop when the held packet's target has room (or is gone). */
    private void retryHeld() {
        if (held == null || state == State.CLOSED) {
            return;
        }
        switch (held.target().offerPacket(held.frame(), false, true)) {
            case FULL -> held.target().waitForRoom(this);
            case GONE -> {
                metrics.packetDropped(DropReason.GONE_DISCONNECTED, false, packetLength(held.frame()));
                held.frame().release();
                releaseHeld();
            }
            default -> releaseHeld();
        }
    }

    private void releaseHeld() {
        held = null;
        if (heldTimer >= 0) {
            server.vertx().cancelTimer(heldTimer);
            heldTimer = -1;
        }
        readPaused = false;
        processFrames();
        if (!readPaused && state != State.CLOSED) {
            connection.resume();
        }
    }

    // ---- queues (any thread) ----------------------------------------------------------------------------------

    /**
     * Queues a RecvPacket frame for this client. Disco packets (and packets whose sender may not wait) make room
     * by dropping the oldest queued one, up to three times, as derper does. The queue takes ownership of the frame
     * on QUEUED and DROPPED; on GONE and FULL the caller keeps it.
     */
    private Offer offerPacket(ByteBuf frame, boolean disco, boolean mayWait) {
        if (state == State.CLOSED) {
            return Offer.GONE;
        }
        ArrayBlockingQueue<ByteBuf> queue = disco ? discoPackets : packets;
        if (queue.offer(frame)) {
            return queued(queue, disco);
        }
        if (mayWait) {
            return Offer.FULL;
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            ByteBuf oldest = queue.poll();
            if (oldest != null) {
                metrics.packetDropped(DropReason.QUEUE_HEAD, disco, packetLength(oldest));
                oldest.release();
            }
            if (queue.offer(frame)) {
                return queued(queue, disco);
            }
        }
        metrics.packetDropped(DropReason.QUEUE_TAIL, disco, packetLength(frame));
        frame.release();
        return Offer.DROPPED;
    }

    /**
     * The session may have closed (and emptied its queues) between the state check and the offer; the frame would
     * then never be written nor released, so the offering thread empties the queue itself.
     */
    private Offer queued(ArrayBlockingQueue<ByteBuf> queue, boolean disco) {
        if (state == State.CLOSED) {
            dropAll(queue, disco);
        } else {
            scheduleFlush();
        }
        return Offer.QUEUED;
    }

    /** Registers a paused sender to be retried once this queue has room; re-checks to close the race. */
    private void waitForRoom(ClientSession sender) {
        waitingSenders.add(sender);
        if (packets.remainingCapacity() > 0 || state == State.CLOSED) {
            wakeWaitingSenders(1);
        }
    }

    private void wakeWaitingSenders(int minimumRoom) {
        if (waitingSenders.isEmpty() || (state != State.CLOSED && packets.remainingCapacity() < minimumRoom)) {
            return;
        }
        ClientSession sender;
        while ((sender = waitingSenders.poll()) != null) {
            ClientSession waiting = sender;
            waiting.context.runOnContext(v -> waiting.retryHeld());
        }
    }

    /** Queues a control frame (PeerGone, PeerPresent, KeepAlive...). A receiver that lets too many pile up is closed. */
    boolean enqueueControl(Buffer frame) {
        if (state == State.CLOSED) {
            return false;
        }
        if (controlSize.incrementAndGet() > server.options().controlQueueLimit()) {
            controlSize.decrementAndGet();
            closeFromAnyThread("control queue overflow (receiver too slow)");
            return false;
        }
        control.add(frame);
        scheduleFlush();
        return true;
    }

    private void scheduleFlush() {
        if (flushScheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> flush());
        }
    }

    // ---- writing (event loop) ---------------------------------------------------------------------------------

    /** The single writer: writes while the transport accepts, flushes once, then waits for drain if needed. */
    private void flush() {
        flushScheduled.set(false);
        if (state != State.ACTIVE || awaitingDrain) {
            return;
        }
        if (writeQueuedFrames()) {
            connection.flush();
        }
        wakeWaitingSenders(Math.max(1, server.options().sendQueueDepth() / 2));
        if (hasQueuedFrames()) {
            if (connection.writeQueueFull()) {
                awaitDrain();
            } else {
                scheduleFlush();
            }
        }
    }

    /** Writes queued frames (unflushed) while the transport accepts them; true if it wrote any. */
    private boolean writeQueuedFrames() {
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
        Buffer controlFrame = control.poll();
        if (controlFrame != null) {
            controlSize.decrementAndGet();
            connection.write(controlFrame);
            return true;
        }
        ByteBuf packet = discoPackets.poll();
        if (packet == null) {
            packet = packets.poll();
        }
        if (packet == null) {
            return false;
        }
        metrics.packetSent(packetLength(packet));
        connection.write(packet);
        return true;
    }

    private boolean hasQueuedFrames() {
        return pendingPong != null || !control.isEmpty() || !discoPackets.isEmpty() || !packets.isEmpty();
    }

    /** The transport is full: resume on drain, or close if it stays full past the write timeout. */
    private void awaitDrain() {
        awaitingDrain = true;
        long timeout = (meshPeer ? server.options().meshWriteTimeout() : server.options().writeTimeout()).toMillis();
        if (timeout > 0 && writeTimer < 0) {
            writeTimer = server.vertx().setTimer(timeout, id -> {
                writeTimer = -1;
                metrics.writeTimedOut();
                close("write timeout after " + timeout + " ms");
            });
        }
        connection.drainHandler(v -> {
            if (!awaitingDrain || state != State.ACTIVE) {
                return;
            }
            awaitingDrain = false;
            cancelWriteTimer();
            flush();
        });
    }

    private void cancelWriteTimer() {
        if (writeTimer >= 0) {
            server.vertx().cancelTimer(writeTimer);
            writeTimer = -1;
        }
    }

    // ---- closing ----------------------------------------------------------------------------------------------

    /** Writes {@code lastFrame} after whatever is queued, then closes; completes once closed. */
    io.vertx.core.Future<Void> closeWith(Buffer lastFrame) {
        io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
        context.runOnContext(v -> {
            if (state == State.CLOSED) {
                closed.tryComplete();
                return;
            }
            writeQueuedFrames();
            connection.write(lastFrame);
            connection.flush();
            close("server restarting");
            closed.tryComplete();
        });
        return closed.future();
    }

    void closeFromAnyThread(String reason) {
        context.runOnContext(v -> close(reason));
    }

    private void reject(String metricReason, String message) {
        metrics.closedByError(metricReason);
        LOG.infof("derp: closing connection from %s%s: %s", remote,
                key == null ? "" : " (" + key.shortString() + ")", message);
        close(message);
    }

    private void close(String reason) {
        if (state == State.CLOSED) {
            return;
        }
        LOG.debugf("derp: closing %s: %s", key == null ? remote : key.shortString(), reason);
        onClosed();
        connection.close();
    }

    private void onClosed() {
        if (state == State.CLOSED) {
            return;
        }
        boolean registered = state == State.ACTIVE;
        state = State.CLOSED;
        for (long timer : new long[]{handshakeTimer, keepAliveTimer, writeTimer, heldTimer}) {
            if (timer >= 0) {
                server.vertx().cancelTimer(timer);
            }
        }
        dropQueued();
        wakeWaitingSenders(0);
        if (registered) {
            server.unregister(this);
            if (preferred) {
                metrics.homeChanged(false);
            }
            if (notIdeal) {
                metrics.notIdealConnection(false);
            }
        }
    }

    private void dropQueued() {
        if (held != null) {
            metrics.packetDropped(DropReason.GONE_DISCONNECTED, false, packetLength(held.frame()));
            held.frame().release();
            held = null;
        }
        dropAll(discoPackets, true);
        dropAll(packets, false);
        control.clear();
    }

    /** Empties a closed session's queue. Any thread: each frame is taken by exactly one poll. */
    private void dropAll(ArrayBlockingQueue<ByteBuf> queue, boolean disco) {
        ByteBuf frame;
        while ((frame = queue.poll()) != null) {
            metrics.packetDropped(DropReason.GONE_DISCONNECTED, disco, packetLength(frame));
            frame.release();
        }
    }

    /** Packet bytes in a RecvPacket frame: total minus header and source key. */
    private static int packetLength(ByteBuf recvPacketFrame) {
        return recvPacketFrame.readableBytes() - DerpLimits.FRAME_HEADER_LEN - DerpLimits.KEY_LEN;
    }
}
