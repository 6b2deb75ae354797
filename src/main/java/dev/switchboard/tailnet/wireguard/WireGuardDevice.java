package dev.switchboard.tailnet.wireguard;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.tailnet.ip.IpPacket;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntUnaryOperator;
import java.util.function.LongSupplier;

/**
 * The WireGuard device without sockets or threads (wireguard-go {@code device/device.go}, {@code receive.go},
 * {@code send.go}): the local static key, a bounded peer table keyed by public key, the index table and the cookie
 * checker. {@link #receive} turns a datagram into what to do next; {@link #send} seals an IP packet into a datagram;
 * {@link #poll} runs a peer's timers. The caller (magicsock, or a test with a DatagramChannel) owns the I/O.
 *
 * <p>Owned by one event loop: every method must be called from it. Not thread-safe.
 */
public final class WireGuardDevice {
    /** {@link #send} result when there is no usable session; a handshake has been requested. */
    public static final int NO_SESSION = -1;

    private static final Map<DropReason, Received.Dropped> DROPS = new EnumMap<>(DropReason.class);

    static {
        for (DropReason r : DropReason.values()) {
            DROPS.put(r, new Received.Dropped(r));
        }
    }

    // Immutable after construction.
    private final NoisePrivateKey local;
    private final LongSupplier nanoClock;
    private final InstantSource wallClock;
    private final IntUnaryOperator jitterMs;
    private final int maxPeers;
    private final int mtu;
    // Owned by the caller's event loop (the only thread that may call this device).
    private final CookieChecker cookieChecker;
    private final RateLimiter rateLimiter = new RateLimiter();
    private final Map<NodeKey, WireGuardPeer> peers = new HashMap<>();
    private final IndexTable indexTable;

    public WireGuardDevice(NoisePrivateKey local, int maxPeers, LongSupplier nanoClock, InstantSource wallClock) {
        this(local, maxPeers, WireGuardConstants.DEFAULT_MTU, nanoClock, wallClock,
                bound -> ThreadLocalRandom.current().nextInt(bound));
    }

    public WireGuardDevice(NoisePrivateKey local, int maxPeers, int mtu, LongSupplier nanoClock,
                           InstantSource wallClock, IntUnaryOperator jitterMs) {
        this.local = local;
        this.maxPeers = maxPeers;
        this.mtu = mtu;
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        this.jitterMs = jitterMs;
        this.cookieChecker = new CookieChecker(local.publicKey(), nanoClock);
        this.indexTable = new IndexTable(maxPeers * 4);
    }

    public NodeKey publicKey() {
        return local.publicKey();
    }

    /** Adds (or replaces) a peer; throws if the table already holds {@code maxPeers} others. */
    public WireGuardPeer addPeer(NodeKey key, List<AllowedIp> allowedIps, InetSocketAddress endpoint) {
        removePeer(key);
        if (peers.size() >= maxPeers) {
            throw new IllegalStateException("peer table full (" + maxPeers + ")");
        }
        WireGuardPeer peer = new WireGuardPeer(local, key, allowedIps, endpoint, nanoClock, wallClock, jitterMs);
        peers.put(key, peer);
        return peer;
    }

    public void removePeer(NodeKey key) {
        WireGuardPeer peer = peers.remove(key);
        if (peer != null) {
            peer.zeroKeyMaterial(indexTable);
            peer.timers.stop();
        }
    }

    public WireGuardPeer peer(NodeKey key) {
        return peers.get(key);
    }

    public Collection<WireGuardPeer> peers() {
        return Collections.unmodifiableCollection(peers.values());
    }

    /** The peer whose allowed IPs contain {@code destination} (linear scan; Coder peers have /128s). */
    public WireGuardPeer peerForDestination(byte[] b, int offset, int len) {
        for (WireGuardPeer p : peers.values()) {
            if (p.allows(b, offset, len)) {
                return p;
            }
        }
        return null;
    }

    int indexTableSize() {
        return indexTable.size();
    }

    /**
     * Processes one datagram from {@code source} ({@code RoutineReceiveIncoming}, {@code RoutineHandshake},
     * {@code RoutineSequentialReceiver}). {@code underLoad} is the caller's verdict (wireguard-go: handshake queue ≥
     * 128). Transport plaintext is decrypted in place. A drop changes no peer state.
     */
    public Received receive(byte[] buf, int off, int len, InetSocketAddress source, boolean underLoad) {
        DropReason framing = MessageType.check(buf, off, len);
        if (framing != null) {
            return DROPS.get(framing);
        }
        MessageType type = MessageType.of(buf, off);
        long now = nanoClock.getAsLong();
        if (type == MessageType.TRANSPORT) {
            return receiveTransport(buf, off, len, source, now);
        }
        if (type == MessageType.COOKIE_REPLY) {
            IndexTable.Entry e = indexTable.lookup(Messages.receiverIndex(buf, off, type));
            if (e == null) {
                return DROPS.get(DropReason.UNKNOWN_RECEIVER_INDEX);
            }
            return e.peer().cookieGenerator.consumeReply(buf, off)
                    ? new Received.Consumed(e.peer()) : DROPS.get(DropReason.BAD_COOKIE_REPLY);
        }
        if (!cookieChecker.checkMac1(buf, off, len)) {
            return DROPS.get(DropReason.BAD_MAC1);
        }
        if (underLoad) {
            byte[] src = sourceBytes(source);
            if (!cookieChecker.checkMac2(buf, off, len, src)) {
                int sender = Messages.getU32(buf, off + 4); // the sender index of either handshake message
                return new Received.CookieReply(cookieChecker.createReply(buf, off, len, sender, src));
            }
            if (!rateLimiter.allow(source.getAddress().getHostAddress(), now)) {
                return DROPS.get(DropReason.RATE_LIMITED);
            }
        }
        return type == MessageType.INITIATION ? receiveInitiation(buf, off, source, now)
                : receiveResponse(buf, off, source, now);
    }

    /** {@link #receive} for a heap buffer's remaining bytes (e.g. a Netty heap ByteBuf's nioBuffer()); no copy. */
    public Received receive(ByteBuffer datagram, InetSocketAddress source, boolean underLoad) {
        if (!datagram.hasArray()) {
            throw new IllegalArgumentException("in-place decryption needs a heap buffer");
        }
        return receive(datagram.array(), datagram.arrayOffset() + datagram.position(), datagram.remaining(), source,
                underLoad);
    }

    private Received receiveInitiation(byte[] buf, int off, InetSocketAddress source, long now) {
        NoiseProtocol.ConsumedInitiation c = NoiseProtocol.consumeInitiation(local, buf, off, key -> {
            WireGuardPeer p = peers.get(key);
            return p == null ? null : p.handshake;
        }, now);
        if (c.drop() != null) {
            return DROPS.get(c.drop());
        }
        WireGuardPeer peer = peers.get(c.handshake().remoteStatic());
        peer.setEndpoint(source);
        peer.timers.timersAnyAuthenticatedPacketTraversal(now);
        peer.timers.timersAnyAuthenticatedPacketReceived(now);
        // SendHandshakeResponse: create, MAC, derive the session (held as "next" until confirmed), send.
        indexTable.deleteHandshake(peer.handshake.localIndex, peer.handshake);
        int index = indexTable.newIndexForHandshake(peer, peer.handshake);
        byte[] response = NoiseProtocol.createResponse(peer.handshake, NoisePrivateKey.generate(), index);
        peer.cookieGenerator.addMacs(response, 0, response.length);
        Keypair kp = NoiseProtocol.beginSymmetricSession(peer.handshake, now);
        indexTable.swapIndexForKeypair(index, kp);
        peer.installAsResponder(kp, indexTable);
        peer.timers.timersSessionDerived(now);
        peer.timers.timersAnyAuthenticatedPacketTraversal(now);
        peer.timers.timersAnyAuthenticatedPacketSent(now);
        return new Received.Reply(peer, response);
    }

    private Received receiveResponse(byte[] buf, int off, InetSocketAddress source, long now) {
        IndexTable.Entry e = indexTable.lookup(Messages.receiverIndex(buf, off, MessageType.RESPONSE));
        if (e == null || e.handshake() == null) {
            return DROPS.get(DropReason.UNKNOWN_RECEIVER_INDEX);
        }
        WireGuardPeer peer = e.peer();
        DropReason drop = NoiseProtocol.consumeResponse(local, peer.handshake, buf, off);
        if (drop != null) {
            return DROPS.get(drop);
        }
        peer.setEndpoint(source);
        peer.timers.timersAnyAuthenticatedPacketTraversal(now);
        peer.timers.timersAnyAuthenticatedPacketReceived(now);
        int index = peer.handshake.localIndex;
        Keypair kp = NoiseProtocol.beginSymmetricSession(peer.handshake, now);
        indexTable.swapIndexForKeypair(index, kp);
        peer.installAsInitiator(kp, indexTable);
        peer.timers.timersSessionDerived(now);
        peer.timers.timersHandshakeComplete(now);
        byte[] keepalive = new byte[Messages.TRANSPORT_OVERHEAD];
        sealOn(peer, kp, keepalive, 0, 0, now);
        return new Received.Reply(peer, keepalive);
    }

    private Received receiveTransport(byte[] buf, int off, int len, InetSocketAddress source, long now) {
        IndexTable.Entry e = indexTable.lookup(Messages.receiverIndex(buf, off, MessageType.TRANSPORT));
        if (e == null || e.keypair() == null) {
            return DROPS.get(DropReason.UNKNOWN_RECEIVER_INDEX);
        }
        WireGuardPeer peer = e.peer();
        Keypair kp = e.keypair();
        int n = kp.open(buf, off, len, now);
        if (n < 0) {
            return DROPS.get(n == Keypair.OPEN_EXPIRED ? DropReason.KEYPAIR_EXPIRED
                    : n == Keypair.OPEN_REPLAYED ? DropReason.REPLAYED_COUNTER : DropReason.TRANSPORT_DECRYPT_FAILED);
        }
        if (peer.receivedWithKeypair(kp, indexTable)) {
            peer.timers.timersHandshakeComplete(now);
        }
        if (peer.timers.needsHandshakeAfterReceiving(peer.current, now)) {
            peer.handshakeWanted = true;
        }
        peer.setEndpoint(source);
        peer.timers.timersAnyAuthenticatedPacketTraversal(now);
        peer.timers.timersAnyAuthenticatedPacketReceived(now);
        if (n == 0) {
            return new Received.Consumed(peer);
        }
        int content = off + Messages.TRANSPORT_HEADER_SIZE;
        int version = (buf[content] & 0xff) >>> 4;
        if (version != 4 && version != 6) {
            return DROPS.get(DropReason.BAD_INNER_PACKET);
        }
        if (!(IpPacket.parse(buf, content, n) instanceof IpPacket.Parsed.Accepted accepted)) {
            return DROPS.get(DropReason.BAD_INNER_PACKET);
        }
        IpPacket packet = accepted.packet();
        if (!peer.allows(buf, packet.sourceOffset(), packet.addressLength())) {
            return DROPS.get(DropReason.DISALLOWED_SOURCE);
        }
        peer.timers.timersDataReceived(now);
        return new Received.Data(peer, packet);
    }

    /**
     * Seals the IP packet the caller wrote at {@code buf[off + 16 ..][0, ipLength)} into a transport datagram at
     * {@code buf[off..]} ({@code buf} needs room for padding and the tag: 32 + ipLength + 15). Returns its length, or
     * {@link #NO_SESSION} when there is no usable keypair (a handshake is then requested via {@link #poll}).
     */
    public int send(WireGuardPeer peer, byte[] buf, int off, int ipLength) {
        long now = nanoClock.getAsLong();
        Keypair kp = peer.current;
        int n = kp == null ? NO_SESSION : sealOn(peer, kp, buf, off, ipLength, now);
        if (n < 0) {
            peer.handshakeWanted = true;
            return NO_SESSION;
        }
        if (ipLength > 0) {
            peer.timers.timersDataSent(now);
        }
        if (peer.timers.needsHandshakeBeforeSending(kp, now)) {
            peer.handshakeWanted = true;
        }
        return n;
    }

    private int sealOn(WireGuardPeer peer, Keypair kp, byte[] buf, int off, int ipLength, long now) {
        int n = kp.seal(buf, off, ipLength, mtu, now);
        if (n >= 0) {
            peer.timers.timersAnyAuthenticatedPacketTraversal(now);
            peer.timers.timersAnyAuthenticatedPacketSent(now);
        }
        return n;
    }

    /**
     * Runs the peer's timers and pending requests; returns the next datagram to send to {@code peer.endpoint()}
     * (an initiation or a keepalive), or null when nothing is due. Call until null, then again at
     * {@link #nextDeadline}.
     */
    public byte[] poll(WireGuardPeer peer) {
        long now = nanoClock.getAsLong();
        if (peer.handshakeWanted) {
            peer.handshakeWanted = false;
            if (peer.timers.mayInitiate(now)) {
                return initiate(peer, now);
            }
        }
        while (true) {
            switch (peer.timers.poll(now)) {
                case NONE -> {
                    return null;
                }
                case SEND_INITIATION -> {
                    if (peer.timers.mayInitiate(now)) {
                        return initiate(peer, now);
                    }
                }
                case SEND_KEEPALIVE -> {
                    Keypair kp = peer.current;
                    byte[] keepalive = new byte[Messages.TRANSPORT_OVERHEAD];
                    if (kp != null && sealOn(peer, kp, keepalive, 0, 0, now) > 0) {
                        return keepalive;
                    }
                }
                case HANDSHAKE_GAVE_UP -> {
                    // Staged packets belong to the caller; nothing to send.
                }
                case ZERO_KEY_MATERIAL -> peer.zeroKeyMaterial(indexTable);
            }
        }
    }

    /** Starts a handshake now if the rate limit allows ({@code SendHandshakeInitiation(false)}); else null. */
    public byte[] initiateHandshake(WireGuardPeer peer) {
        long now = nanoClock.getAsLong();
        return peer.timers.mayInitiate(now) ? initiate(peer, now) : null;
    }

    private byte[] initiate(WireGuardPeer peer, long now) {
        indexTable.deleteHandshake(peer.handshake.localIndex, peer.handshake);
        int index = indexTable.newIndexForHandshake(peer, peer.handshake);
        byte[] msg = NoiseProtocol.createInitiation(local, peer.handshake, NoisePrivateKey.generate(),
                peer.stamper.next(), index);
        peer.cookieGenerator.addMacs(msg, 0, msg.length);
        peer.timers.timersHandshakeInitiated(now);
        peer.timers.timersAnyAuthenticatedPacketTraversal(now);
        peer.timers.timersAnyAuthenticatedPacketSent(now);
        return msg;
    }

    /** Earliest time {@link #poll} has something to do for this peer. */
    public long nextDeadline(WireGuardPeer peer) {
        return peer.handshakeWanted ? nanoClock.getAsLong() : peer.timers.nextDeadline();
    }

    /** {@code DstToBytes}: IP bytes then the port, little-endian, as wireguard-go keys its cookies. */
    private static byte[] sourceBytes(InetSocketAddress source) {
        byte[] ip = source.getAddress().getAddress();
        byte[] out = java.util.Arrays.copyOf(ip, ip.length + 2);
        out[ip.length] = (byte) source.getPort();
        out[ip.length + 1] = (byte) (source.getPort() >>> 8);
        return out;
    }
}
