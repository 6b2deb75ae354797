package dev.switchboard.tailnet.engine;

import dev.switchboard.derpmap.AgentConnectionInfo;
import dev.switchboard.coordinator.TailnetAddresses;
import dev.switchboard.coordinator.client.CoordinatorClient;
import dev.switchboard.coordinator.client.CoordinatorClientOptions;
import dev.switchboard.coordinator.client.CoordinatorEvent;
import dev.switchboard.coordinator.proto.CoordinateResponse.PeerUpdate.Kind;
import dev.switchboard.coordinator.proto.Node;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpRegion;
import dev.switchboard.tailnet.disco.DiscoPrivateKey;
import dev.switchboard.tailnet.ip.Icmpv6Echo;
import dev.switchboard.tailnet.ip.IpPacket;
import dev.switchboard.tailnet.magicsock.MagicConn;
import dev.switchboard.tailnet.magicsock.MagicConnListener;
import dev.switchboard.tailnet.magicsock.MagicConnOptions;
import dev.switchboard.tailnet.magicsock.PathChange;
import dev.switchboard.tailnet.magicsock.PeerNode;
import dev.switchboard.tailnet.netcheck.NetcheckReport;
import dev.switchboard.tailnet.tcp.TcpListener;
import dev.switchboard.tailnet.tcp.TcpSocket;
import dev.switchboard.tailnet.wireguard.AllowedIp;
import dev.switchboard.vertx.VertxInternals;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * A tailnet peer: the {@link MagicConn} data plane, coordinated through a {@link CoordinatorClient}, with an
 * ICMPv6 echo responder and pinger and a userspace TCP stack on its tailnet address (coder/coder
 * {@code tailnet/conn.go} {@code Conn}, {@link TailnetTcp} in netstack's place). A fresh node key (the WireGuard
 * static key) and disco key per process, as Coder does.
 *
 * <p>Agents advertise both /128s derived from their UUID and acknowledge every peer node with ReadyForHandshake;
 * clients take a random /128 under Tailscale's prefix and open a tunnel to their agent.
 *
 * <p>Threading: one event-loop context runs the magic socket, the coordinator client and everything here; public
 * methods may be called from any thread, hop onto it and return futures. TCP sockets belong to that loop too: use them
 * only from their handlers or through {@link #context()}.
 */
public final class Engine {
    private static final Duration CONNECTION_INFO_TIMEOUT = Duration.ofSeconds(10);
    /** Half-open plus unaccepted connections per listener: what a SYN flood to one port can hold at most. */
    private static final int LISTEN_BACKLOG = 128;
    private final Vertx vertx;
    private final Context context;
    private final EngineOptions options;
    private final EngineEvents events;
    private final MagicConn conn;
    private final WebSocketClient webSockets;
    private final HttpClient http;
    private final byte[] sourceAddress;
    private final List<AllowedIp> ownPrefixes;
    private final boolean directDisabledByServer;
    private final DerpMap derpMap;
    private final int udpPort;
    // Owned by the event loop.
    private final EchoPinger pinger;
    private final TailnetTcp tcp;
    private final TailnetUdp udp;
    private final byte[] tx = new byte[MagicConn.TX_BUFFER_SIZE];
    private final Map<UUID, Node> peerNodes = new HashMap<>();
    private final Map<UUID, Promise<Void>> ready = new HashMap<>();
    private SelfNode self;
    private CoordinatorClient coordinator;
    private boolean sentNode;

    private Engine(Vertx vertx, Context context, EngineOptions options, EngineEvents events, MagicConn conn,
                   WebSocketClient webSockets, HttpClient http, List<String> addresses, AgentConnectionInfo info) {
        this.vertx = vertx;
        this.context = context;
        this.options = options;
        this.events = events;
        this.conn = conn;
        this.webSockets = webSockets;
        this.http = http;
        this.ownPrefixes = addresses.stream().map(AllowedIp::parse).toList();
        this.sourceAddress = ownPrefixes.getFirst().address();
        this.directDisabledByServer = info.disableDirectConnections();
        this.derpMap = info.derpMap();
        this.udpPort = conn.localPort();
        this.pinger = new EchoPinger(vertx, ThreadLocalRandom.current().nextInt());
        this.tcp = new TailnetTcp(vertx, conn, sourceAddress);
        this.udp = new TailnetUdp(conn, sourceAddress);
    }

    /** Fetches the connection info from the server, then {@link #start(Vertx, EngineOptions, AgentConnectionInfo, EngineEvents)}. */
    public static Future<Engine> start(Vertx vertx, EngineOptions options, EngineEvents events) {
        Context context = VertxInternals.newEventLoopContext(vertx);
        HttpClient http = httpClient(vertx, options);
        return Future.<AgentConnectionInfo>future(p -> context.runOnContext(v ->
                        AgentConnectionInfo.fetch(http, options.server(), Optional.of(options.token()), CONNECTION_INFO_TIMEOUT).onComplete(p)))
                .compose(info -> start(vertx, context, http, options, info, events))
                .onFailure(e -> http.close());
    }

    /** Joins with connection info already at hand (tests substitute the DERP map). */
    public static Future<Engine> start(Vertx vertx, EngineOptions options, AgentConnectionInfo info, EngineEvents events) {
        return start(vertx, VertxInternals.newEventLoopContext(vertx), httpClient(vertx, options), options, info,
                events);
    }

    private static Future<Engine> start(Vertx vertx, Context context, HttpClient http, EngineOptions options,
                                        AgentConnectionInfo info, EngineEvents events) {
        UUID self = options.agent() ? options.agentId() : UUID.randomUUID();
        List<String> addresses = options.agent() ? TailnetAddresses.agentAddresses(self)
                : List.of(TailnetAddresses.clientAddress(self));
        boolean block = options.disableDirect() || info.disableDirectConnections();
        NodePrivateKey nodeKey = NodePrivateKey.generate();
        DiscoPrivateKey disco = DiscoPrivateKey.generate();
        Engine[] engine = new Engine[1];
        MagicConnListener listener = new MagicConnListener() {
            @Override
            public void onPacket(IpPacket packet, InetSocketAddress via) {
                engine[0].onPacket(packet, via);
            }

            @Override
            public void onPathChange(NodeKey peer, PathChange change) {
                engine[0].onPathChange(peer, change);
            }

            @Override
            public void onNetInfo(List<InetSocketAddress> endpoints, NetcheckReport report) {
                engine[0].onNetInfo(endpoints, report); // the first report starts in join(), after engine[0] is set
            }
        };
        return MagicConn.start(vertx, context, nodeKey, disco,
                new MagicConnOptions(options.bindHost(), options.bindPort(), block), listener).map(conn -> {
            WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions()
                    .setSsl("https".equalsIgnoreCase(options.server().getScheme())).setTrustAll(options.trustAll())
                    .setVerifyHost(!options.trustAll()));
            engine[0] = new Engine(vertx, context, options, events, conn, ws, http, addresses, info);
            engine[0].join(info, SelfNode.nodeId(self), nodeKey.publicKey(), disco);
            return engine[0];
        });
    }

    private static HttpClient httpClient(Vertx vertx, EngineOptions options) {
        return vertx.createHttpClient(new HttpClientOptions()
                .setSsl("https".equalsIgnoreCase(options.server().getScheme())).setTrustAll(options.trustAll())
                .setVerifyHost(!options.trustAll()));
    }

    /** On the loop: DERP map and home region, then the coordinator stream with our node (and tunnel). */
    private void join(AgentConnectionInfo info, long nodeId, NodeKey key, DiscoPrivateKey disco) {
        int home = HomeRegion.fallback(info.derpMap()).orElse(0);
        // Before the DERP map starts the first report, whose net-info callback (onNetInfo) builds on our node: a
        // report answered before it was set found none (EngineTest, once in a clean-clone CI run).
        self = new SelfNode(nodeId, key, disco.publicKey(), home, addresses(), conn.endpoints(), Map.of());
        conn.setDerpMap(info.derpMap(), info.derpForceWebsockets());
        if (home > 0) {
            conn.setHome(home);
        }
        CoordinatorClientOptions.Target target = options.agent() ? CoordinatorClientOptions.Target.agent()
                : CoordinatorClientOptions.Target.agentClient(options.agentId());
        coordinator = CoordinatorClient.connect(context, webSockets, http,
                CoordinatorClientOptions.of(options.server(), options.token(), target)
                        .withTrustAll(options.trustAll()), this::onCoordinator);
        // Coder sends no node until it has a home region ("skipped sending node; no PreferredDERP").
        if (home > 0) {
            coordinator.updateSelf(self.toProto(Instant.now()));
        }
        if (!options.agent()) {
            coordinator.addTunnel(options.agentId());
        }
    }

    /** Our tailnet addresses as {@code ip/128}; the first is the source of our packets. */
    public List<String> addresses() {
        return ownPrefixes.stream().map(AllowedIp::toString).toList();
    }

    /** The magic socket's UDP port (the one {@code Node.endpoints} advertise). */
    public int udpPort() {
        return udpPort;
    }

    /** Completes when {@code peer} signalled READY_FOR_HANDSHAKE: its agent has programmed our node. */
    public Future<Void> awaitReady(UUID peer) {
        return Future.<Void>future(p -> context.runOnContext(v ->
                ready.computeIfAbsent(peer, k -> Promise.promise()).future().onComplete(p)));
    }

    /**
     * Sends one ICMPv6 Echo Request carrying {@code data} to {@code peer}'s first address; completes with the reply's
     * latency and path, or fails after {@code timeout} (or at once when the peer's node is unknown).
     */
    public Future<PingResult> ping(UUID peer, byte[] data, Duration timeout) {
        Promise<PingResult> result = Promise.promise();
        context.runOnContext(v -> {
            Node node = peerNodes.get(peer);
            if (node == null || node.getAddressesCount() == 0) {
                result.fail("no node for peer " + peer + " yet");
                return;
            }
            byte[] dst = AllowedIp.parse(node.getAddresses(0)).address();
            int ipLength = pinger.write(tx, MagicConn.TX_HEADROOM, sourceAddress, dst, data, timeout, result);
            conn.sendPacket(tx, ipLength);
        });
        return result.future();
    }

    /** The event loop that owns the engine and its TCP sockets; their handlers run there. */
    public Context context() {
        return context;
    }

    /**
     * Accepts TCP connections to {@code port} of our address; each socket goes to {@code handler} on the loop. Fails
     * if the port already has a listener.
     */
    public Future<TcpListener> listen(int port, Handler<TcpSocket> handler) {
        return onLoop(() -> tcp.stack().listen(port, LISTEN_BACKLOG).handler(handler));
    }

    /**
     * Accepts TCP connections to every port {@code ports} allows that has no listener of its own (the agent's port
     * forwarding, coder/coder {@code agent/agent.go} on the tailnet's TCP forwarder); others are refused with a RST.
     */
    public Future<TcpListener> listenAll(IntPredicate ports, Handler<TcpSocket> handler) {
        return onLoop(() -> tcp.stack().listenAll(ports, LISTEN_BACKLOG).handler(handler));
    }

    /**
     * Binds UDP {@code port} (0: a free dynamic port) on our address; datagrams to it go to {@code handler} on the
     * loop, and the socket sends from it (call it on {@link #context()}).
     */
    public Future<TailnetUdp.Socket> bindUdp(int port, Consumer<TailnetUdp.Datagram> handler) {
        return onLoop(() -> udp.bind(port, handler));
    }

    private <T> Future<T> onLoop(Supplier<T> action) {
        return Future.future(p -> context.runOnContext(v -> {
            try {
                p.complete(action.get());
            } catch (IllegalStateException e) {
                p.fail(e);
            }
        }));
    }

    /**
     * Opens a TCP connection to {@code port} on {@code peer}'s first address (the one Coder's clients dial,
     * {@code tailnet/conn.go} {@code DialContextTCP}); completes on the loop once established.
     */
    public Future<TcpSocket> connect(UUID peer, int port) {
        return Future.<TcpSocket>future(p -> context.runOnContext(v -> {
            Node node = peerNodes.get(peer);
            if (node == null || node.getAddressesCount() == 0) {
                p.fail("no node for peer " + peer + " yet");
                return;
            }
            tcp.stack().connect(AllowedIp.parse(node.getAddresses(0)).address(), port).onComplete(p);
        }));
    }

    /** What {@code coder ping} prints before pinging. */
    public Future<Diagnostics> diagnostics(UUID peer) {
        return Future.future(p -> context.runOnContext(v -> p.complete(diagnosticsOnLoop(peer))));
    }

    /** Every drop so far, magicsock's, ours and the TCP stack's, by reason. */
    public Future<Map<String, Long>> drops() {
        return Future.future(p -> context.runOnContext(v -> {
            Map<String, Long> all = conn.drops().snapshot();
            tcp.addDrops(all);
            p.complete(all);
        }));
    }

    /** The node we last published (or would, before we have a home), as the coordinator gets it. */
    public Future<Node> node() {
        return Future.future(p -> context.runOnContext(v -> p.complete(self.toProto(Instant.now()))));
    }

    /** The magic socket, for tests that read its keys or act on its event loop. */
    public MagicConn conn() {
        return conn;
    }

    /** Graceful end: Disconnect (peers see DISCONNECTED, not LOST), then the sockets close. */
    public Future<Void> close() {
        return Future.<Void>future(p -> context.runOnContext(v -> {
                    tcp.close();
                    coordinator.disconnect().onComplete(p);
                }))
                .eventually(() -> conn.close())
                .eventually(() -> webSockets.close())
                .eventually(() -> http.close());
    }

    // ---- on the loop --------------------------------------------------------------------------------------------

    private void onCoordinator(CoordinatorEvent event) {
        switch (event) {
            case CoordinatorEvent.Connected c -> sentNode = self.preferredDerp() > 0;
            case CoordinatorEvent.PeerChange change -> onPeerChange(change);
            case CoordinatorEvent.ConnectionLost lost -> sentNode = false;
            default -> { }
        }
        events.coordinator(event);
    }

    private void onPeerChange(CoordinatorEvent.PeerChange change) {
        if (change.kind() == Kind.NODE) {
            Optional<PeerNode> node = PeerNode.fromProto(change.node());
            List<AllowedIp> allowed = allowedIps(change.node());
            if (node.isEmpty() || allowed == null) {
                conn.drops().count(EngineDrop.BAD_PEER_UPDATE);
                return;
            }
            Node previous = peerNodes.put(change.peer(), change.node());
            if (previous != null && !previous.getKey().equals(change.node().getKey())) {
                PeerNode.fromProto(previous).ifPresent(old -> conn.removePeer(old.key()));
            }
            conn.upsertPeer(node.get(), allowed);
            if (options.agent()) {
                coordinator.readyForHandshake(List.of(change.peer()));
            }
        } else if (change.kind() == Kind.DISCONNECTED) {
            Node gone = peerNodes.remove(change.peer());
            if (gone != null) {
                PeerNode.fromProto(gone).ifPresent(p -> conn.removePeer(p.key()));
            }
        } else if (change.kind() == Kind.READY_FOR_HANDSHAKE) {
            ready.computeIfAbsent(change.peer(), k -> Promise.promise()).tryComplete();
        }
        // LOST: keep the node; WireGuard may still work via DERP or a direct path (Coder tailnet/configmaps.go: a lost peer is kept until it comes back or times out).
    }

    /** {@code Node.allowed_ips} as prefixes, or null when one does not parse (the whole update is dropped). */
    private static List<AllowedIp> allowedIps(Node node) {
        List<AllowedIp> out = new ArrayList<>();
        try {
            node.getAllowedIpsList().forEach(text -> out.add(AllowedIp.parse(text)));
        } catch (IllegalArgumentException e) {
            return null;
        }
        return out;
    }

    /**
     * A decrypted packet: TCP goes to the stack, echo requests to us are answered, replies go to the pinger, the rest
     * is counted.
     */
    private void onPacket(IpPacket packet, InetSocketAddress via) {
        if (!isOurs(packet)) {
            conn.drops().count(EngineDrop.NOT_FOR_US);
            return;
        }
        if (packet.protocol() == IpPacket.PROTOCOL_TCP) {
            tcp.onPacket(packet);
            return;
        }
        if (packet.protocol() == TailnetUdp.PROTOCOL_UDP) {
            udp.onPacket(packet);
            return;
        }
        if (pinger.onPacket(packet, via)) {
            return;
        }
        if (Icmpv6Echo.replyInto(packet, tx, MagicConn.TX_HEADROOM) == Icmpv6Echo.Outcome.REPLIED) {
            conn.sendPacket(tx, packet.length());
        } else {
            conn.drops().count(EngineDrop.UNHANDLED);
        }
    }

    private boolean isOurs(IpPacket packet) {
        for (AllowedIp own : ownPrefixes) {
            if (own.contains(packet.bytes(), packet.destinationOffset(), packet.addressLength())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A re-STUN finished (Coder's {@code tailnet/conn.go} net-info callback → {@code nodeUpdater}): the home moves
     * only when markedly better ({@link HomeRegion#afterReport}), and the node goes out only when something in it
     * changed — endpoints, home or latencies.
     */
    private void onNetInfo(List<InetSocketAddress> endpoints, NetcheckReport report) {
        int home = HomeRegion.afterReport(self.preferredDerp(), report);
        if (home != conn.home() && home > 0) {
            conn.setHome(home);
        }
        SelfNode next = self.withNetInfo(home, endpoints, report);
        if (next.equals(self)) {
            return;
        }
        self = next;
        if (home > 0) {
            coordinator.updateSelf(self.toProto(Instant.now()));
        }
    }

    private void onPathChange(NodeKey key, PathChange change) {
        peerNodes.forEach((id, node) -> PeerNode.fromProto(node).filter(p -> p.key().equals(key))
                .ifPresent(p -> events.pathChanged(id, change)));
    }

    private Diagnostics diagnosticsOnLoop(UUID peer) {
        Optional<Diagnostics.Peer> remote = Optional.ofNullable(peerNodes.get(peer)).map(node -> {
            Optional<Duration> handshake = PeerNode.fromProto(node).flatMap(p -> conn.peerStatus(p.key()))
                    .flatMap(s -> s.lastHandshakeNanos()).map(at -> Duration.ofNanos(System.nanoTime() - at));
            return new Diagnostics.Peer(node.getPreferredDerp(), regionName(node.getPreferredDerp()),
                    node.getEndpointsList(), handshake);
        });
        return new Diagnostics(conn.home(), regionName(conn.home()), conn.homeConnected(), sentNode, remote,
                options.disableDirect(), directDisabledByServer);
    }

    /** A region's display name from the DERP map, or empty when the map has no such region. */
    public String regionName(int regionId) {
        DerpRegion region = derpMap.regions().get((long) regionId);
        return region == null ? "" : region.regionName();
    }

    /** A region's short code ({@code coder} for the embedded relay), as Tailscale's {@code PeerStatus.Relay}. */
    public String regionCode(int regionId) {
        DerpRegion region = derpMap.regions().get((long) regionId);
        return region == null ? "" : region.regionCode();
    }
}
