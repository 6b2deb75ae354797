package dev.switchboard.bench;

import dev.switchboard.coordinator.client.CoordinatorClient;
import io.vertx.core.Vertx;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Coordinator fan-out: one agent and N clients tunnelled to it ({@link CoordinatorPeers}). The agent publishes
 * {@code rounds} node updates stamped with the send time; every client records how long each took to arrive.
 */
public final class CoordinatorLoad {
    private final Vertx vertx;
    private final URI base;
    private final int clients;
    private final int rounds;

    public CoordinatorLoad(Vertx vertx, URI base, int clients, int rounds) {
        this.vertx = vertx;
        this.base = base;
        this.clients = clients;
        this.rounds = rounds;
    }

    /**
     * @param tokens mints a session token: for the agent when given the agent ID and {@code true}, else for a user
     *               who may reach it
     */
    public LatencyStats run(UUID agentId, BiFunction<UUID, Boolean, String> tokens) throws Exception {
        NodeArrivals arrivals = new NodeArrivals(clients, rounds);
        NodeArrivals.Target initial = arrivals.expect(0);
        try (CoordinatorPeers peers = new CoordinatorPeers(vertx, "https".equalsIgnoreCase(base.getScheme()),
                clients + 1)) {
            CoordinatorClient agent = peers.agent(base, tokens.apply(agentId, true), CoordinatorPeers.agentNode(agentId, 0));
            agent.connected().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            for (int i = 0; i < clients; i++) {
                int client = i;
                peers.client(base, tokens.apply(agentId, false), agentId, Optional.empty(), Optional.empty(),
                        (node, received) -> arrivals.record(client, node, received));
            }
            if (!initial.await(Duration.ofSeconds(60))) {
                throw new IllegalStateException("only " + (clients - initial.missing()) + " clients got the agent's node");
            }
            for (int round = 1; round <= rounds; round++) {
                agent.updateSelf(CoordinatorPeers.agentNode(agentId, round));
                Thread.sleep(100);
            }
            arrivals.awaitTimed(Duration.ofSeconds(60));
        }
        return arrivals.latency();
    }
}
