package dev.switchboard.derp.server;

import dev.switchboard.derp.ClientFrames;
import dev.switchboard.derp.DerpProtocolException;
import dev.switchboard.derp.Frame;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.PeerGoneReason;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

import java.util.concurrent.TimeUnit;

/**
 * What a handshaken client's frames do (derper's {@code handleFrame*}, Tailscale's `derp/derp_server.go`): routes
 * SendPacket and ForwardPacket to the destination's {@link ClientSendQueue}, answers Ping, notes NotePreferred,
 * and runs the mesh commands. Decoding is {@link ClientFrames}'; this class only decides.
 *
 * <p>Threading: created by the handshake and then confined to the session's event loop; every field is owned by it
 * (the immutable ones are the client's identity, fixed by the handshake).
 */
final class ClientFrameHandler {
    private static final Logger LOG = Logger.getLogger(ClientFrameHandler.class);

    /**
     * A NotePreferred this soon after connecting is the client's initial announcement, not a home move: derper's
     * {@code setPreferred} ("ignore the initial packet set when a client connects, which we assume happens within
     * 5 seconds"), Tailscale's `derp/derp_server.go`.
     */
    static final long HOME_MOVE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

    // Immutable after construction (the handshake's outcome).
    private final DerpServer server;
    private final DerpMetrics metrics;
    private final ClientSession session;
    private final NodeKey key;
    private final boolean meshPeer;
    private final ClientSet clientSet;
    private final long connectedAtNanos;
    private final SessionWriter writer;
    private final SenderBackpressure backpressure;

    // Owned by the session's event loop.
    private final NotHereLimiter notHereLimiter = new NotHereLimiter();
    private boolean preferred;

    ClientFrameHandler(DerpServer server, ClientSession session, boolean meshPeer, ClientSet clientSet,
                       long connectedAtNanos, SessionWriter writer, SenderBackpressure backpressure) {
        this.server = server;
        this.metrics = server.metrics();
        this.session = session;
        this.key = session.key();
        this.meshPeer = meshPeer;
        this.clientSet = clientSet;
        this.connectedAtNanos = connectedAtNanos;
        this.writer = writer;
        this.backpressure = backpressure;
    }

    void dispatch(Frame frame) throws DerpProtocolException {
        Buffer payload = frame.payload();
        switch (frame.type()) {
            case SEND_PACKET -> handleSendPacket(ClientFrames.sendPacket(payload));
            case FORWARD_PACKET -> handleForwardPacket(ClientFrames.forwardPacket(requireMesh(frame)));
            case NOTE_PREFERRED -> handleNotePreferred(ClientFrames.notePreferred(payload));
            case PING -> handlePing(ClientFrames.ping(payload));
            case WATCH_CONNS -> handleWatchConns(requireMesh(frame));
            case CLOSE_PEER -> handleClosePeer(ClientFrames.closePeer(requireMesh(frame)));
            default -> metrics.unknownFrame();
        }
    }

    /** The session closed: a home connection stops counting as one. */
    void close() {
        if (preferred) {
            metrics.homeChanged(false);
        }
    }

    /** The frame's payload if this connection presented the mesh key; otherwise the frame is fatal. */
    private Buffer requireMesh(Frame frame) throws DerpProtocolException {
        if (!meshPeer) {
            throw new DerpProtocolException("insufficient_permissions",
                    "insufficient permissions for " + frame.type() + " (no mesh key)");
        }
        return frame.payload();
    }

    private void handleSendPacket(ClientFrames.SendPacket send) {
        Buffer packet = send.packet();
        boolean disco = send.looksLikeDisco();
        metrics.packetReceived(disco, packet.length());
        ClientSet set = server.lookup(send.destination());
        ClientSession target = set == null ? null : set.active();
        PacketForwarder link = set == null ? server.forwarder(send.destination()) : null;
        if (target == null && link == null) {
            dropUnroutable(send.destination(), set, disco, packet.length(), DropReason.UNKNOWN_DEST);
            return;
        }
        if (!clientSet.sentTo.contains(send.destination())) {
            clientSet.sentTo.add(send.destination());
        }
        if (target == null) {
            // derp §6: connected to a sibling relay, one hop away on our own link to it
            metrics.packetForwardedOut(link.forward(key, send.destination(), packet));
            return;
        }
        deliver(target, recvPacket(key, packet), disco, packet.length());
    }

    /** One hop only: a forwarded packet goes to a local client or nowhere. */
    private void handleForwardPacket(ClientFrames.ForwardPacket forward) {
        Buffer packet = forward.packet();
        boolean disco = forward.looksLikeDisco();
        metrics.packetForwardedIn();
        metrics.packetReceived(disco, packet.length());
        ClientSet set = server.lookup(forward.destination());
        ClientSession target = set == null ? null : set.active();
        if (target == null) {
            dropUnroutable(forward.destination(), set, disco, packet.length(), DropReason.UNKNOWN_DEST_ON_FWD);
            return;
        }
        server.noteForwardedDelivery(forward.source(), forward.destination());
        deliver(target, recvPacket(forward.source(), packet), disco, packet.length());
    }

    private ByteBuf recvPacket(NodeKey source, Buffer packet) {
        return Frames.recvPacket(server.packetAllocator(), source, packet, 0, packet.length());
    }

    /** derper's {@code requestPeerGoneWriteLimited}: a disco packet to nobody earns a rate-limited NotHere. */
    private void dropUnroutable(NodeKey destination, ClientSet set, boolean disco, int length, DropReason reason) {
        boolean dup = set != null && set.isDup();
        metrics.packetDropped(dup ? DropReason.DUP_CLIENT : reason, disco, length);
        if (disco && !dup && notHereLimiter.tryAcquire(server.nanoTime())
                && session.enqueueControl(Frames.peerGone(destination, PeerGoneReason.NOT_HERE))) {
            metrics.peerGoneSent(PeerGoneReason.NOT_HERE);
        }
    }

    /** Disco packets and mesh peers never wait (the target drops its oldest); other senders may be paused. */
    private void deliver(ClientSession target, ByteBuf frame, boolean disco, int length) {
        boolean mayWait = !disco && !meshPeer;
        switch (target.sendQueue().offerPacket(frame, disco, mayWait)) {
            case GONE -> {
                frame.release();
                metrics.packetDropped(DropReason.GONE_DISCONNECTED, disco, length);
            }
            case FULL -> backpressure.hold(target.sendQueue(), frame);
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
        if (server.nanoTime() - connectedAtNanos > HOME_MOVE_GRACE_NANOS) {
            metrics.homeMoved(nowPreferred);
        }
    }

    /** At most one pong may be pending; extra pings are dropped, as derper does. */
    private void handlePing(Buffer data) {
        metrics.pingReceived();
        writer.queuePong(data);
    }

    private void handleWatchConns(Buffer payload) throws DerpProtocolException {
        ClientFrames.watchConns(payload);
        server.addWatcher(session);
    }

    private void handleClosePeer(NodeKey target) {
        if (!server.closePeer(target)) {
            LOG.debugf("derp: ClosePeer from %s: failed to find peer %s", key.shortString(), target.shortString());
        }
    }
}
