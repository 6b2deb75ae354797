package dev.switchboard.derp.server;

import dev.switchboard.derp.ClientFrames;
import dev.switchboard.derp.DerpLimits;
import dev.switchboard.derp.DerpProtocolException;
import dev.switchboard.derp.DiscoPacket;
import dev.switchboard.derp.FrameReader;
import dev.switchboard.derp.FrameType;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodeKeyProbe;
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

    /** The client's key as bytes, the source of every RecvPacket it sends, copied in without a key object. */
    private final Buffer ownKey;

    // Owned by the session's event loop.
    private final NotHereLimiter notHereLimiter = new NotHereLimiter();
    /** Re-aimed at each packet frame's keys to look them up in place (one pair per connection, not per packet). */
    private final NodeKeyProbe destination = new NodeKeyProbe();
    private final NodeKeyProbe source = new NodeKeyProbe();
    private boolean preferred;

    ClientFrameHandler(DerpServer server, ClientSession session, boolean meshPeer, ClientSet clientSet,
                       long connectedAtNanos, SessionWriter writer, SenderBackpressure backpressure) {
        this.server = server;
        this.metrics = server.metrics();
        this.session = session;
        this.key = session.key();
        this.ownKey = Buffer.buffer(key.toBytes());
        this.meshPeer = meshPeer;
        this.clientSet = clientSet;
        this.connectedAtNanos = connectedAtNanos;
        this.writer = writer;
        this.backpressure = backpressure;
    }

    /**
     * Handles the frame {@code reader} just returned from {@link FrameReader#next()}. Packet frames are read in place
     * (no slice, no key object: this runs per packet); the others take a slice of the payload.
     */
    void dispatch(FrameType type, FrameReader reader) throws DerpProtocolException {
        switch (type) {
            case SEND_PACKET -> handleSendPacket(reader.payloadBuffer(), reader.payloadOffset(),
                    ClientFrames.sendPacketLength(reader.payloadLength()));
            case FORWARD_PACKET -> {
                requireMesh(type);
                handleForwardPacket(reader.payloadBuffer(), reader.payloadOffset(),
                        ClientFrames.forwardPacketLength(reader.payloadLength()));
            }
            case NOTE_PREFERRED -> handleNotePreferred(ClientFrames.notePreferred(reader.payload()));
            case PING -> handlePing(ClientFrames.ping(reader.payload()));
            case WATCH_CONNS -> handleWatchConns(requireMesh(type, reader));
            case CLOSE_PEER -> handleClosePeer(ClientFrames.closePeer(requireMesh(type, reader)));
            default -> metrics.unknownFrame();
        }
    }

    /** The session closed: a home connection stops counting as one. */
    void close() {
        if (preferred) {
            metrics.homeChanged(false);
        }
    }

    /** This connection must have presented the mesh key for {@code type}; otherwise the frame is fatal. */
    private void requireMesh(FrameType type) throws DerpProtocolException {
        if (!meshPeer) {
            throw new DerpProtocolException("insufficient_permissions",
                    "insufficient permissions for " + type + " (no mesh key)");
        }
    }

    private Buffer requireMesh(FrameType type, FrameReader reader) throws DerpProtocolException {
        requireMesh(type);
        return reader.payload();
    }

    /**
     * SendPacket whose payload is at {@code offset} of {@code frame}: destination key, then {@code length} packet
     * bytes. The destination is looked up in place ({@link #destination}) and is a {@link NodeKey} only as the
     * registry's own ({@code set.key}); only the unroutable and mesh paths copy it out.
     */
    private void handleSendPacket(Buffer frame, int offset, int length) {
        int packet = offset + ClientFrames.SEND_PACKET_DATA;
        boolean disco = DiscoPacket.looksLikeDisco(frame, packet, length);
        metrics.packetReceived(disco, length);
        NodeKeyProbe wanted = destination.at(frame, offset);
        ClientSet set = server.lookup(wanted);
        ClientSession target = set == null ? null : set.active();
        PacketForwarder link = set == null ? server.forwarder(wanted) : null;
        if (target == null && link == null) {
            dropUnroutable(wanted, set, disco, length, DropReason.UNKNOWN_DEST);
            return;
        }
        NodeKey to = set != null ? set.key : wanted.toKey();
        if (!clientSet.sentTo.contains(to)) {
            clientSet.sentTo.add(to);
        }
        if (target == null) {
            // derp §6: connected to a sibling relay, one hop away on our own link to it
            metrics.packetForwardedOut(link.forward(key, to, frame.slice(packet, packet + length)));
            return;
        }
        deliver(target, Frames.recvPacket(server.packetAllocator(), ownKey, 0, frame, packet, length), disco, length);
    }

    /** One hop only: a forwarded packet goes to a local client or nowhere. Read in place as SendPacket is. */
    private void handleForwardPacket(Buffer frame, int offset, int length) {
        int packet = offset + ClientFrames.FORWARD_PACKET_DATA;
        boolean disco = DiscoPacket.looksLikeDisco(frame, packet, length);
        metrics.packetForwardedIn();
        metrics.packetReceived(disco, length);
        NodeKeyProbe wanted = destination.at(frame, offset + DerpLimits.KEY_LEN);
        ClientSet set = server.lookup(wanted);
        ClientSession target = set == null ? null : set.active();
        if (target == null) {
            dropUnroutable(wanted, set, disco, length, DropReason.UNKNOWN_DEST_ON_FWD);
            return;
        }
        server.noteForwardedDelivery(source.at(frame, offset), set.key);
        deliver(target, Frames.recvPacket(server.packetAllocator(), frame, offset, frame, packet, length), disco,
                length);
    }

    /** derper's {@code requestPeerGoneWriteLimited}: a disco packet to nobody earns a rate-limited NotHere. */
    private void dropUnroutable(NodeKeyProbe destination, ClientSet set, boolean disco, int length, DropReason reason) {
        boolean dup = set != null && set.isDup();
        metrics.packetDropped(dup ? DropReason.DUP_CLIENT : reason, disco, length);
        if (disco && !dup && notHereLimiter.tryAcquire(server.nanoTime())
                && session.enqueueControl(Frames.peerGone(destination.toKey(), PeerGoneReason.NOT_HERE))) {
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
