package dev.switchboard.tailnet.engine;

import dev.switchboard.derpmap.AgentConnectionInfo;
import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpNode;
import dev.switchboard.derpmap.DerpRegion;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Optional;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** An agent and a client engine against the test server, on loopback; the relay may be reached through a proxy. */
final class EnginePeers implements AutoCloseable {
    final UUID agentId;
    final Engine agent;
    final Engine client;

    /**
     * @param derpPort where the relay is reached (the server's port, or a proxy in front of it)
     * @param clientRelayOnly the client's {@code --disable-direct-connections}
     */
    static EnginePeers start(Vertx vertx, TokenService tokens, int serverPort, int derpPort, boolean clientRelayOnly)
            throws Exception {
        return start(vertx, tokens, serverPort, derpPort, clientRelayOnly, "127.0.0.1");
    }

    /** As above, both magic sockets bound to {@code bindHost} ({@code 0.0.0.0}: every interface, IPv6 too). */
    static EnginePeers start(Vertx vertx, TokenService tokens, int serverPort, int derpPort, boolean clientRelayOnly,
                             String bindHost) throws Exception {
        return start(vertx, tokens, serverPort, clientRelayOnly, bindHost, served -> loopback(served, derpPort));
    }

    /**
     * Both on loopback with the embedded relay's STUN responder in the map (so they learn STUN endpoints), plus a
     * region 1000 whose only node has STUN disabled ({@code STUNPort: -1}).
     */
    static EnginePeers startWithStun(Vertx vertx, TokenService tokens, int serverPort) throws Exception {
        return start(vertx, tokens, serverPort, false, "127.0.0.1", served -> loopbackWithStun(served, serverPort));
    }

    private static EnginePeers start(Vertx vertx, TokenService tokens, int serverPort, boolean clientRelayOnly,
                                     String bindHost, UnaryOperator<DerpMap> map) throws Exception {
        URI server = URI.create("http://127.0.0.1:" + serverPort);
        UUID agentId = UUID.randomUUID();
        String agentToken = tokens.mint(agentId, Role.AGENT, List.of(), Duration.ofHours(1));
        String userToken = tokens.mint(UUID.randomUUID(), Role.USER, List.of(agentId), Duration.ofHours(1));
        AgentConnectionInfo info = await(Future.<AgentConnectionInfo>future(p -> vertx.runOnContext(v ->
                AgentConnectionInfo.fetch(vertx.createHttpClient(), server, Optional.of(agentToken), Duration.ofSeconds(10)).onComplete(p))));
        AgentConnectionInfo local = info.withDerpMap(map.apply(info.derpMap()));
        Engine agent = await(Engine.start(vertx, new EngineOptions(server, agentToken, true, agentId, bindHost, 0,
                false, false), local, new EngineEvents() { }));
        Engine client = await(Engine.start(vertx, new EngineOptions(server, userToken, false, agentId, bindHost, 0,
                clientRelayOnly, false), local, new EngineEvents() { }));
        EnginePeers peers = new EnginePeers(agent, client, agentId);
        await(client.awaitReady(agentId));
        return peers;
    }

    private EnginePeers(Engine agent, Engine client, UUID agentId) {
        this.agent = agent;
        this.client = client;
        this.agentId = agentId;
    }

    /** Every relaying node rewritten to plain HTTP on loopback at {@code port}. */
    static DerpMap loopback(DerpMap map, int port) {
        Map<Long, DerpRegion> regions = new TreeMap<>();
        map.regions().forEach((id, r) -> regions.put(id, r.withNodes(r.nodes().stream().map(n -> n.stunOnly() ? n
                : DerpNode.relay(n.name(), n.regionId(), "127.0.0.1", port, -1, true)).toList())));
        return map.withRegions(regions);
    }

    /** The served embedded region on loopback at {@code port}, its STUN port kept, and a region without STUN. */
    static DerpMap loopbackWithStun(DerpMap served, int port) {
        DerpRegion embedded = served.regions().values().stream().filter(DerpRegion::embeddedRelay).findFirst()
                .orElseThrow();
        DerpNode node = embedded.nodes().getFirst();
        Map<Long, DerpRegion> regions = new TreeMap<>();
        regions.put(embedded.regionId(), embedded.withNodes(List.of(DerpNode.relay(node.name(), node.regionId(),
                "127.0.0.1", port, node.stunPort(), true))));
        regions.put(1000L, DerpRegion.of(false, 1000, "nostun", "No STUN", List.of(DerpNode.relay("1000a", 1000,
                "127.0.0.1", port, -1, true))));
        return served.withRegions(regions);
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        await(client.close());
        await(agent.close());
    }
}
