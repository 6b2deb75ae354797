package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.tailnet.disco.DiscoCodec;
import dev.switchboard.tailnet.disco.DiscoKey;
import dev.switchboard.tailnet.disco.DiscoMessage;
import dev.switchboard.tailnet.disco.DiscoPrivateKey;
import dev.switchboard.tailnet.ip.IpPacket;
import dev.switchboard.tailnet.netcheck.IpFamily;
import dev.switchboard.tailnet.netcheck.NetcheckReport;
import dev.switchboard.tailnet.wireguard.AllowedIp;
import dev.switchboard.tailnet.wireguard.Messages;
import dev.switchboard.tailnet.wireguard.NoisePrivateKey;
import dev.switchboard.tailnet.wireguard.PeerTimers;
import dev.switchboard.tailnet.wireguard.Received;
import dev.switchboard.tailnet.wireguard.WireGuardDevice;
import dev.switchboard.tailnet.wireguard.WireGuardPeer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.netty.util.NetUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import org.jboss.logging.Logger;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
    private static final Logger LOG = Logger.getLogger(MagicConn.class);
    private static final int MAX_PEERS = 4096;
    /** Largest datagram read; WireGuard never exceeds MTU + 32, disco and STUN are smaller. */
    private static final int RX_BUFFER_SIZE = 65536;
    private static final long HEARTBEAT_MS = MagicsockConstants.HEARTBEAT_INTERVAL.toMillis();

    /** What the conn delivers upwards, on its event loop. */
    public interface Listener {
        /**
         * A decrypted IP packet from a peer, which arrived via {@code via} (its UDP source, or a
         * {@link DerpMagicAddress} socket address). The packet is a view into a reused buffer: valid during the call.
         */
        void onPacket(IpPacket packet, InetSocketAddress via);

        /** A peer's best direct path moved ("magicsock: disco: node … now using …"). */
        void onPathChange(NodeKey peer, PathChange change);

        /**
         * A re-STUN finished ({@code callNetInfoCallback}): our endpoints as now published (empty in relay-only mode)
         * and the netcheck report behind them (latencies, preferred region). Called after every report, changed or not.
         */
        void onNetInfo(List<InetSocketAddress> endpoints, NetcheckReport report);
    }

    /**
     * @param bindHost       the UDP socket's local address ({@code 0.0.0.0}: every interface)
     * @param bindPort       its port, 0 for any (Tailscale's default 41641 is not special here)
     * @param blockEndpoints relay-only ({@code BlockEndpoints}): no endpoints published, DERP for everything
     */
    public record Options(String bindHost, int bindPort, boolean blockEndpoints) {
    }

    private final Vertx vertx;
    private final Context context;
    private final NodePrivateKey nodeKey;
    private final DiscoPrivateKey disco;
    private final Options options;
    private final Listener listener;
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
    private DatagramSocket socket;
    /** The IPv6 socket, or null when the host has no IPv6 or the IPv4 socket is bound to one address. */
    private DatagramSocket socket6;
    /** Interface addresses with the bound ports: the last source of our endpoints. */
    private List<InetSocketAddress> localEndpoints = List.of();
    /** Null in relay-only mode (no STUN at all) and until the sockets are bound. */
    private EndpointDiscovery discovery;
    private InetSocketAddress lastSender;
    private String lastSenderHost;

    private MagicConn(Vertx vertx, Context context, NodePrivateKey nodeKey, DiscoPrivateKey disco, Options options,
                      Listener listener) {
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
    }

    /** Binds the UDP socket on {@code context} and completes with the running conn. */
    public static Future<MagicConn> start(Vertx vertx, Context context, NodePrivateKey nodeKey, DiscoPrivateKey disco,
                                          Options options, Listener listener) {
        MagicConn conn = new MagicConn(vertx, context, nodeKey, disco, options, listener);
        return Future.<MagicConn>future(p -> context.runOnContext(v -> conn.bind().map(conn).onComplete(p)));
    }

    /**
     * Binds IPv4 on the configured address and, for the wildcard, IPv6 on {@code ::} too when the host has it
     * (Tailscale's {@code pconn4}/{@code pconn6}: two sockets, their own ports unless one is pinned).
     */
    private Future<Void> bind() {
        socket = vertx.createDatagramSocket(new DatagramSocketOptions().setIpV6(false));
        socket.handler(this::onUdp);
        return socket.listen(options.bindPort(), options.bindHost()).compose(s -> bind6()).map(v -> {
            List<InetSocketAddress> local = new ArrayList<>();
            LocalAddresses.forBind(options.bindHost()).forEach(ip -> local.add(AddrPorts.of(ip, localPort())));
            if (socket6 != null) {
                int port6 = socket6.localAddress().port();
                LocalAddresses.ipv6().forEach(ip -> local.add(AddrPorts.of(ip, port6)));
            }
            localEndpoints = List.copyOf(local);
            if (!options.blockEndpoints()) { // relay-only: no endpoints, no STUN
                // Local endpoints at once, so the first node has some; the first re-STUN makes them fresh.
                ownEndpoints.provisional(OwnEndpoints.determine(Optional.empty(), false, Optional.empty(),
                        localEndpoints, localPort()));
                discovery = new EndpointDiscovery(vertx, context, this::udpSend, families(), drops, this::onReport);
            }
            return null;
        });
    }

    private Future<Void> bind6() {
        if (!LocalAddresses.isWildcard(options.bindHost()) || LocalAddresses.ipv6().isEmpty()) {
            return Future.succeededFuture();
        }
        DatagramSocket s6 = vertx.createDatagramSocket(new DatagramSocketOptions().setIpV6(true));
        s6.handler(this::onUdp);
        return s6.listen(options.bindPort(), "::").<Void>map(s -> {
            socket6 = s6;
            return null;
        }).recover(e -> {
            LOG.debugf("magicsock: no IPv6 socket: %s", e.getMessage());
            return s6.close();
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
        return socket.localAddress().port();
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
     * Sends a datagram from the magic socket of the target's family (WireGuard, disco, and the re-STUN's requests, so
     * their mappings are the peers' path); a failure is counted and fails the future.
     */
    private Future<Void> udpSend(Buffer datagram, InetSocketAddress to) {
        DatagramSocket via = AddrPorts.is6(to) ? socket6 : socket;
        if (via == null) {
            drops.count(MagicDrop.UDP_SEND_FAILED);
            return Future.failedFuture("no socket for " + AddrPorts.format(to));
        }
        return via.send(datagram, to.getPort(), to.getAddress().getHostAddress())
                .onFailure(e -> drops.count(MagicDrop.UDP_SEND_FAILED));
    }

    private Set<IpFamily> families() {
        return socket6 == null ? EnumSet.of(IpFamily.V4) : EnumSet.of(IpFamily.V4, IpFamily.V6);
    }

    /**
     * {@code updateEndpoints}: a finished report becomes our endpoints (a hard NAT adds the STUN address with our
     * local port); CallMeMaybes waiting for fresh endpoints go out, and the listener decides what to re-publish.
     */
    private void onReport(NetcheckReport report) {
        List<Endpoint> eps = OwnEndpoints.determine(AddrPorts.parse(report.globalV4()),
                Boolean.TRUE.equals(report.mappingVariesByDestIp()), AddrPorts.parse(report.globalV6()),
                localEndpoints, localPort());
        ownEndpoints.update(eps, System.nanoTime()).forEach(this::sendCallMeMaybe);
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
                stopTimers(p);
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
            stopTimers(p);
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
        armWireGuard(p);
    }

    public Future<Void> close() {
        return Future.future(promise -> context.runOnContext(v -> {
            peers.values().forEach(this::stopTimers);
            if (discovery != null) {
                discovery.close();
            }
            derp.close();
            Future<Void> six = socket6 == null ? Future.succeededFuture() : socket6.close();
            (socket == null ? six : Future.all(six, socket.close()).<Void>mapEmpty()).onComplete(promise);
        }));
    }

    // ---- receive ------------------------------------------------------------------------------------------------

    private void onUdp(DatagramPacket packet) {
        Buffer data = packet.data();
        int len = data.length();
        if (len > rx.length) {
            drops.count(MagicDrop.OVERSIZED);
            return;
        }
        InetSocketAddress src = sender(packet);
        if (src == null) {
            drops.count(MagicDrop.UNPARSABLE_SOURCE);
            return;
        }
        data.getBytes(0, len, rx, 0);
        if (looksLikeWireGuard(rx, len)) {
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
        if (looksLikeWireGuard(rx, len)) {
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

    /**
     * The fast path's test: a WireGuard message type (1–4, little-endian u32) can be neither disco ({@code TS💬})
     * nor STUN (whose first two bytes are a message type with bit 0x0100 set for responses, so byte 1 ≠ 0 there).
     * Anything else takes {@link DiscoDemux}'s full sort on a private copy.
     */
    private static boolean looksLikeWireGuard(byte[] b, int len) {
        return len >= 4 && b[0] >= 1 && b[0] <= 4 && b[1] == 0 && b[2] == 0 && b[3] == 0;
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
            case DiscoDemux.Route.Disco d -> discoHandler.handle(d, System.nanoTime()).forEach(this::act);
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
                    udpSend(Buffer.buffer(c.datagram()), via);
                }
            }
            case Received.Consumed c -> afterReceive(c.peer());
            case Received.Dropped d -> drops.count(d.reason());
        }
    }

    private void afterReceive(WireGuardPeer wg) {
        MagicPeer p = peers.get(wg.publicKey());
        flushStaged(p);
        armWireGuard(p);
    }

    // ---- disco --------------------------------------------------------------------------------------------------

    private void act(DiscoHandler.Action action) {
        switch (action) {
            case DiscoHandler.Action.SendPong pong -> sendDisco(pong.to(), pong.peer(),
                    DiscoCodec.seal(new DiscoMessage.Pong(pong.txId().toBytes(), pong.observed()), disco,
                            pong.recipient()));
            case DiscoHandler.Action.SendPings pings -> sendRound(peers.get(pings.peer().publicKey()), pings.round());
            case DiscoHandler.Action.PathChanged change -> {
                LOG.debugf("magicsock: disco: node %s now using %s", change.peer().publicKey().shortString(),
                        change.change().to());
                listener.onPathChange(change.peer().publicKey(), change.change());
            }
        }
    }

    /** {@code sendDiscoMessage}: to a UDP address, or via DERP (a magic address) to node key {@code peer}. */
    private void sendDisco(InetSocketAddress to, NodeKey peer, byte[] sealed) {
        Optional<DerpMagicAddress> region = DerpMagicAddress.of(to);
        if (region.isPresent()) {
            derp.send(region.get(), peer, Buffer.buffer(sealed));
        } else {
            udpSend(Buffer.buffer(sealed), to);
        }
    }

    private void sendRound(MagicPeer p, PingRound round) {
        DiscoKey peerDisco = p == null ? null : p.path.discoKey().orElse(null);
        if (peerDisco == null) {
            return;
        }
        for (PingRequest ping : round.pings()) {
            sendDisco(ping.to(), p.path.publicKey(), DiscoCodec.seal(
                    new DiscoMessage.Ping(ping.txId().toBytes(), nodeKey.publicKey()), disco, peerDisco));
        }
        if (round.callMeMaybeVia() != null) {
            long now = System.nanoTime();
            Optional<OwnEndpoints.CallMeMaybe> cmm = ownEndpoints.callMeMaybe(p.path.publicKey(),
                    round.callMeMaybeVia(), now);
            // Stale endpoints: re-STUN; its report releases every CallMeMaybe waiting on it (relay-only never waits).
            if (cmm.isPresent()) {
                sendCallMeMaybe(cmm.get());
            } else {
                discovery.reStun("refresh-for-peering");
            }
        }
    }

    private void sendCallMeMaybe(OwnEndpoints.CallMeMaybe cmm) {
        MagicPeer p = peers.get(cmm.peer());
        Optional<DiscoKey> peerDisco = p == null ? Optional.empty() : p.path.discoKey();
        peerDisco.ifPresent(key -> derp.send(cmm.via(), cmm.peer(), Buffer.buffer(
                DiscoCodec.seal(new DiscoMessage.CallMeMaybe(cmm.endpoints()), disco, key))));
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
            udpSend(Buffer.buffer(len).appendBytes(buf, off, len), t.udp());
        }
        if (t.derp() != null) {
            derp.send(t.derp(), p.path.publicKey(), Buffer.buffer(len).appendBytes(buf, off, len));
        }
        sendRound(p, plan.round());
        if (plan.startHeartbeat()) {
            scheduleHeartbeat(p);
        }
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

    // ---- timers -------------------------------------------------------------------------------------------------

    /** Arms one timer for the peer's earliest WireGuard deadline; an earlier deadline replaces a later timer. */
    private void armWireGuard(MagicPeer p) {
        long at = device.nextDeadline(p.wg);
        if (p.removed || at == PeerTimers.UNSET || p.wgTimer >= 0 && p.wgTimerAt - at <= 0) {
            return;
        }
        if (p.wgTimer >= 0) {
            vertx.cancelTimer(p.wgTimer);
        }
        long delayMs = Math.max(1, (at - System.nanoTime() + 999_999) / 1_000_000);
        p.wgTimerAt = at;
        p.wgTimer = vertx.setTimer(delayMs, t -> {
            p.wgTimer = -1;
            p.wgTimerAt = PeerTimers.UNSET;
            if (!p.removed) {
                for (byte[] d; (d = device.poll(p.wg)) != null; ) {
                    transmit(p, d, 0, d.length);
                }
                flushStaged(p);
                armWireGuard(p);
            }
        });
    }

    private void scheduleHeartbeat(MagicPeer p) {
        p.heartbeatTimer = vertx.setTimer(HEARTBEAT_MS, t -> {
            p.heartbeatTimer = -1;
            if (p.removed) {
                return;
            }
            HeartbeatPlan hb = p.path.heartbeat(System.nanoTime());
            sendRound(p, hb.round());
            if (hb.reschedule()) {
                scheduleHeartbeat(p);
            }
        });
    }

    private void stopTimers(MagicPeer p) {
        p.removed = true;
        for (long timer : new long[] {p.wgTimer, p.heartbeatTimer}) {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
        }
    }

    /** The sender as an {@link InetSocketAddress}; consecutive datagrams from one peer reuse the last one. */
    private InetSocketAddress sender(DatagramPacket packet) {
        io.vertx.core.net.SocketAddress s = packet.sender();
        if (lastSender == null || lastSender.getPort() != s.port() || !s.hostAddress().equals(lastSenderHost)) {
            java.net.InetAddress ip = NetUtil.createInetAddressFromIpAddressString(s.hostAddress());
            if (ip == null) {
                return null;
            }
            lastSenderHost = s.hostAddress();
            lastSender = AddrPorts.of(ip, s.port());
        }
        return lastSender;
    }
}
