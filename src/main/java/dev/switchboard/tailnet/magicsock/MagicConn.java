package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.tailnet.disco.DiscoKey;
import dev.switchboard.tailnet.disco.DiscoPrivateKey;
import dev.switchboard.tailnet.ip.IpPacket;
import dev.switchboard.tailnet.netcheck.NetcheckReport;
import dev.switchboard.tailnet.wireguard.AllowedIp;
import dev.switchboard.tailnet.wireguard.Messages;
import dev.switchboard.tailnet.wireguard.NoisePrivateKey;
import dev.switchboard.tailnet.wireguard.PeerTimers;
import dev.switchboard.tailnet.wireguard.Received;
import dev.switchboard.tailnet.wireguard.WireGuardDevice;
import dev.switchboard.tailnet.wireguard.WireGuardPeer;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The magic socket: UDP sockets (IPv4, and IPv6 when bound to the wildcard) plus DERP connections, carrying
 * WireGuard and disco for every peer (tailscale {@code wgengine/magicsock/magicsock.go} {@code Conn}, Coder fork).
 * It ties the pure pieces to I/O: {@link DiscoDemux}/{@link DiscoHandler} for disco, {@link WireGuardDevice} for WireGuard, {@link PathEndpoint}
 * per peer for where each datagram goes, {@link DerpConnections} for the relays, {@link EndpointDiscovery} and
 * {@link OwnEndpoints} for our endpoints (STUN over these very sockets) and CallMeMaybe.
 *
 * <p>Threading: confined to one event-loop {@link #context()}; every public method must be called there (the engine
 * runs its coordinator client on the same context). Received datagrams are copied once into a reused buffer and
 * decrypted in place; every packet thrown away is counted in {@link #drops()}.
 */
public final class MagicConn {
    /** Room before an outbound IP packet for the WireGuard transport header ({@link WireGuardDevice#send}). */
    public static final int TX_HEADROOM = Messages.TRANSPORT_HEADER_SIZE;
    /** An outbound buffer: headroom, an MTU-sized packet, padding to 16 and the tag. */
    public static final int TX_BUFFER_SIZE = TX_HEADROOM + IpPacket.MTU + 16 + Messages.TAG_SIZE;
    private static final int MAX_PEERS = 4096;
    /** Largest datagram read; WireGuard never exceeds MTU + 32, disco and STUN are smaller. */
    private static final int RX_BUFFER_SIZE = 65536;

    private final Vertx vertx;
    private final Context context;
    private final NodePrivateKey nodeKey;
    private final DiscoPrivateKey disco;
    private final MagicConnOptions options;
    private final MagicConnListener listener;
    private final SecureRandom random = new SecureRandom();
    // Owned by the event loop.
    private final Drops drops = new Drops();
    private final WireGuardDevice device;
    private final PeerMap peerMap = new PeerMap();
    private final DiscoDemux demux;
    private final DiscoHandler discoHandler;
    private final OwnEndpoints ownEndpoints;
    private final DerpConnections derp;
    private final Map<NodeKey, MagicPeer> peers = new HashMap<>();
    private final byte[] rx = new byte[RX_BUFFER_SIZE];
    private final MagicSockets sockets;
    private final MagicTimers timers;
    private final DiscoSends discoSends;
    /** Interface addresses with the bound ports: the last source of our endpoints. */
    private List<InetSocketAddress> localEndpoints = List.of();
    /** Null in relay-only mode (no STUN at all) and until the sockets are bound. */
    private EndpointDiscovery discovery;

    private MagicConn(Vertx vertx, Context context, NodePrivateKey nodeKey, DiscoPrivateKey disco,
                      MagicConnOptions options, MagicConnListener listener) {
        this.vertx = vertx;
        this.context = context;
        this.nodeKey = nodeKey;
        this.disco = disco;
        this.options = options;
        this.listener = listener;
        this.device = new WireGuardDevice(NoisePrivateKey.of(nodeKey), MAX_PEERS, System::nanoTime,
                InstantSource.system());
        this.demux = new DiscoDemux(disco, peerMap);
        this.discoHandler = new DiscoHandler(peerMap);
        this.ownEndpoints = new OwnEndpoints(options.blockEndpoints());
        this.derp = new DerpConnections(vertx, context, nodeKey, System::nanoTime, drops, this::onDerp);
        this.sockets = new MagicSockets(vertx, context, drops, this::onUdp);
        this.discoSends = new DiscoSends(nodeKey, disco, peers, ownEndpoints, derp, sockets,
                () -> discovery.reStun("refresh-for-peering"), listener::onPathChange);
        this.timers = new MagicTimers(vertx, device, this::sendWireGuardDue, discoSends);
    }

    /** Binds the UDP socket on {@code context} and completes with the running conn. */
    public static Future<MagicConn> start(Vertx vertx, Context context, NodePrivateKey nodeKey, DiscoPrivateKey disco,
                                          MagicConnOptions options, MagicConnListener listener) {
        MagicConn conn = new MagicConn(vertx, context, nodeKey, disco, options, listener);
        return Future.<MagicConn>future(p -> context.runOnContext(v -> conn.bind().map(conn).onComplete(p)));
    }

    /** Binds the UDP sockets; their addresses are our local endpoints until the first re-STUN. */
    private Future<Void> bind() {
        return sockets.bind(options.bindHost(), options.bindPort()).map(local -> {
            localEndpoints = local;
            if (!options.blockEndpoints()) { // relay-only: no endpoints, no STUN
                // Local endpoints at once, so the first node has some; the first re-STUN makes them fresh.
                ownEndpoints.provisional(OwnEndpoints.determine(Optional.empty(), false, Optional.empty(),
                        localEndpoints, localPort()));
                discovery = new EndpointDiscovery(vertx, context, sockets::send, sockets.families(), drops,
                        this::onReport);
            }
            return null;
        });
    }

    public Context context() {
        return context;
    }

    public NodeKey publicKey() {
        return nodeKey.publicKey();
    }

    public DiscoKey discoKey() {
        return disco.publicKey();
    }

    public int localPort() {
        return sockets.localPort();
    }

    /** Our endpoints as published in {@code Node.endpoints} (empty in relay-only mode). */
    public List<InetSocketAddress> endpoints() {
        return ownEndpoints.endpoints();
    }

    /** The same endpoints with where each came from (STUN, local interface …). */
    public List<Endpoint> endpointSources() {
        return ownEndpoints.typed();
    }

    public Drops drops() {
        return drops;
    }

    /** A new DERP map and the server's {@code derp_force_websockets}; its STUN nodes are asked for our endpoints. */
    public void setDerpMap(DerpMap map, boolean forceWebSocket) {
        derp.setMap(map, forceWebSocket);
        if (discovery != null) {
            discovery.setMap(map);
        }
    }

    public DerpMap derpMap() {
        return derp.map();
    }

    /** Our home region ({@code preferred_derp}); its connection is kept open. */
    public void setHome(int regionId) {
        derp.setHome(regionId);
    }

    public int home() {
        return derp.home();
    }

    public boolean homeConnected() {
        return derp.homeConnected();
    }

    /**
     * {@code updateEndpoints}: a finished report becomes our endpoints (a hard NAT adds the STUN address with our
     * local port); CallMeMaybes waiting for fresh endpoints go out, and the listener decides what to re-publish.
     */
    private void onReport(NetcheckReport report) {
        List<Endpoint> eps = OwnEndpoints.determine(AddrPorts.parse(report.globalV4()),
                Boolean.TRUE.equals(report.mappingVariesByDestIp()), AddrPorts.parse(report.globalV6()),
                localEndpoints, localPort());
        ownEndpoints.update(eps, System.nanoTime()).forEach(discoSends::sendCallMeMaybe);
        listener.onNetInfo(ownEndpoints.endpoints(), report);
    }

    /**
     * {@code updateFromNode} for a coordinator peer: creates its WireGuard peer and path state, or updates them.
     * Changed allowed IPs re-create the WireGuard peer (its sessions go); the path state survives.
     */
    public void upsertPeer(PeerNode node, List<AllowedIp> allowedIps) {
        MagicPeer p = peers.get(node.key());
        if (p == null || !p.wg.allowedIps().equals(allowedIps)) {
            PathEndpoint path = p == null ? new PathEndpoint(node.key(), random, options.blockEndpoints()) : p.path;
            if (p != null) {
                timers.stop(p);
            }
            p = new MagicPeer(device.addPeer(node.key(), allowedIps, null), path);
            peers.put(node.key(), p);
        }
        p.path.updateFromNode(node, System.nanoTime());
        peerMap.upsert(p.path);
    }

    /** The peer left the netmap (DISCONNECTED): its keys, paths and timers go. */
    public void removePeer(NodeKey key) {
        MagicPeer p = peers.remove(key);
        if (p != null) {
            timers.stop(p);
            device.removePeer(key);
            peerMap.delete(key);
            ownEndpoints.forget(key);
        }
    }

    public Optional<PeerStatus> peerStatus(NodeKey key) {
        MagicPeer p = peers.get(key);
        if (p == null) {
            return Optional.empty();
        }
        long hs = p.wg.timers().lastHandshakeNanos();
        return Optional.of(new PeerStatus(key, p.path.bestAddr(), p.path.trusted(System.nanoTime()),
                p.path.derpAddr(), hs == PeerTimers.UNSET ? Optional.empty() : Optional.of(hs)));
    }

    /**
     * Sends the IP packet at {@code buf[TX_HEADROOM ..][0, ipLength)} to the peer whose allowed IPs hold its
     * destination, sealing it in place ({@code buf} needs {@link #TX_BUFFER_SIZE} bytes). Without a session the
     * packet is staged (copied) and a handshake starts.
     */
    public void sendPacket(byte[] buf, int ipLength) {
        int version = ipLength > 0 ? (buf[TX_HEADROOM] & 0xff) >>> 4 : 0;
        int dst = TX_HEADROOM + (version == 6 ? 24 : 16);
        int dstLen = version == 6 ? 16 : 4;
        if (version != 4 && version != 6 || ipLength < dst - TX_HEADROOM + dstLen) {
            drops.count(MagicDrop.BAD_OUTBOUND_PACKET);
            return;
        }
        WireGuardPeer wg = device.peerForDestination(buf, dst, dstLen);
        if (wg == null) {
            drops.count(MagicDrop.NO_PEER_FOR_DESTINATION);
            return;
        }
        MagicPeer p = peers.get(wg.publicKey());
        flushStaged(p);
        int n = p.staged.isEmpty() ? device.send(wg, buf, 0, ipLength) : WireGuardDevice.NO_SESSION;
        if (n == WireGuardDevice.NO_SESSION) {
            stage(p, buf, ipLength);
        } else {
            transmit(p, buf, 0, n);
        }
        timers.armWireGuard(p);
    }

    public Future<Void> close() {
        return Future.future(promise -> context.runOnContext(v -> {
            peers.values().forEach(timers::stop);
            if (discovery != null) {
                discovery.close();
            }
            derp.close();
            sockets.close().onComplete(promise);
        }));
    }

    // ---- receive ------------------------------------------------------------------------------------------------

    private void onUdp(ByteBuf data, InetSocketAddress src) {
        int len = data.readableBytes();
        if (len > rx.length) {
            drops.count(MagicDrop.OVERSIZED);
            return;
        }
        data.getBytes(data.readerIndex(), rx, 0, len);
        if (DiscoDemux.looksLikeWireGuard(rx, len)) {
            if (peerMap.endpointForIpPort(src).isEmpty()) {
                drops.count(MagicDrop.UNTIED_UDP_SOURCE);
                return;
            }
            onReceived(device.receive(rx, 0, len, src, false), src, null);
        } else {
            route(demux.fromUdp(Arrays.copyOf(rx, len), src));
        }
    }

    private void onDerp(DerpMagicAddress region, NodeKey source, Buffer payload) {
        int len = payload.length();
        if (len > rx.length) {
            drops.count(MagicDrop.OVERSIZED);
            return;
        }
        payload.getBytes(0, len, rx, 0);
        if (DiscoDemux.looksLikeWireGuard(rx, len)) {
            receiveDerpWireGuard(rx, len, region, source);
            return;
        }
        DiscoDemux.Route route = demux.fromDerp(Arrays.copyOf(rx, len), region, source);
        if (route instanceof DiscoDemux.Route.WireGuard wg) {
            receiveDerpWireGuard(wg.packet(), len, region, source); // malformed: WireGuard's framing check drops it
        } else {
            route(route);
        }
    }

    private void receiveDerpWireGuard(byte[] buf, int len, DerpMagicAddress region, NodeKey source) {
        if (peerMap.endpointForNodeKey(source).isEmpty()) {
            drops.count(MagicDrop.UNKNOWN_DERP_SOURCE);
            return;
        }
        onReceived(device.receive(buf, 0, len, region.toSocketAddress(), false), region.toSocketAddress(), source);
    }

    private void route(DiscoDemux.Route route) {
        switch (route) { // UDP routes; DERP's WireGuard never comes here (onDerp)
            case DiscoDemux.Route.Stun s -> {
                if (discovery == null) {
                    drops.count(MagicDrop.STUN_UNHANDLED);
                } else {
                    discovery.onStunResponse(s.packet(), s.from());
                }
            }
            case DiscoDemux.Route.WireGuard wg -> {
                if (peerMap.endpointForIpPort(wg.udpFrom()).isEmpty()) {
                    drops.count(MagicDrop.UNTIED_UDP_SOURCE);
                } else {
                    onReceived(device.receive(wg.packet(), 0, wg.packet().length, wg.udpFrom(), false),
                            wg.udpFrom(), null);
                }
            }
            case DiscoDemux.Route.Disco d -> discoHandler.handle(d, System.nanoTime()).forEach(discoSends::act);
            case DiscoDemux.Route.Dropped d -> drops.count(d.reason());
        }
    }

    /** What WireGuard made of a datagram that came from {@code via} (relayed from {@code derpFrom}, or UDP). */
    private void onReceived(Received r, InetSocketAddress via, NodeKey derpFrom) {
        switch (r) {
            case Received.Data d -> {
                listener.onPacket(d.packet(), via);
                afterReceive(d.peer());
            }
            case Received.Reply reply -> {
                MagicPeer p = peers.get(reply.peer().publicKey());
                transmit(p, reply.datagram(), 0, reply.datagram().length);
                afterReceive(reply.peer());
            }
            case Received.CookieReply c -> {
                if (derpFrom != null) {
                    derp.send(DerpMagicAddress.of(via).orElseThrow(), derpFrom, Buffer.buffer(c.datagram()));
                } else {
                    sockets.send(c.datagram(), 0, c.datagram().length, via);
                }
            }
            case Received.Consumed c -> afterReceive(c.peer());
            case Received.Dropped d -> drops.count(d.reason());
        }
    }

    private void afterReceive(WireGuardPeer wg) {
        MagicPeer p = peers.get(wg.publicKey());
        flushStaged(p);
        timers.armWireGuard(p);
    }

    // ---- send ---------------------------------------------------------------------------------------------------

    /** {@code endpoint.send}: one sealed datagram to wherever the peer's path state says, plus its pings. */
    private void transmit(MagicPeer p, byte[] buf, int off, int len) {
        SendPlan plan = p.path.onSend(System.nanoTime());
        SendTargets t = plan.targets();
        if (t.isEmpty()) {
            drops.count(MagicDrop.NO_PATH);
        }
        if (t.udp() != null) {
            sockets.send(buf, off, len, t.udp());
        }
        if (t.derp() != null) {
            derp.send(t.derp(), p.path.publicKey(), Buffer.buffer(len).appendBytes(buf, off, len));
        }
        discoSends.sendRound(p, plan.round());
        if (plan.startHeartbeat()) {
            timers.scheduleHeartbeat(p);
        }
    }

    /** A WireGuard timer fired: what it produced (handshake retransmit, keepalive …), then what was staged. */
    private void sendWireGuardDue(MagicPeer p) {
        for (byte[] d; (d = device.poll(p.wg)) != null; ) {
            transmit(p, d, 0, d.length);
        }
        flushStaged(p);
    }

    private void stage(MagicPeer p, byte[] buf, int ipLength) {
        if (p.staged.size() >= MagicPeer.MAX_STAGED) {
            drops.count(MagicDrop.STAGED_QUEUE_FULL);
            return;
        }
        p.staged.add(new MagicPeer.Staged(Arrays.copyOf(buf, TX_BUFFER_SIZE), ipLength));
    }

    private void flushStaged(MagicPeer p) {
        while (!p.staged.isEmpty() && p.wg.currentKeypair() != null) {
            MagicPeer.Staged s = p.staged.peek();
            int n = device.send(p.wg, s.buf(), 0, s.ipLength());
            if (n == WireGuardDevice.NO_SESSION) {
                return;
            }
            p.staged.poll();
            transmit(p, s.buf(), 0, n);
        }
    }
}
