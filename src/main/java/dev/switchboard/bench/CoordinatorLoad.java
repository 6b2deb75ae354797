package dev.switchboard.bench;

import com.google.protobuf.Timestamp;
import dev.switchboard.coordinator.TailnetAddresses;
import dev.switchboard.coordinator.client.CoordinatorClient;
import dev.switchboard.coordinator.client.CoordinatorClientOptions;
import dev.switchboard.coordinator.client.CoordinatorClientOptions.Target;
import dev.switchboard.coordinator.client.CoordinatorEvent;
import dev.switchboard.coordinator.proto.Node;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BiFunction;

/**
 * Coordinator fan-out: one agent and N clients tunnelled to it, each a {@link CoordinatorClient} on its own
 * event-loop context (sharing one WebSocket and one HTTP client). The agent publishes {@code rounds} node updates
 * stamped with the send time; every client records how long each took to arrive.
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
        boolean tls = "https".equalsIgnoreCase(base.getScheme());
        WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(clients + 1)
                .setSsl(tls).setTrustAll(true).setVerifyHost(false));
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setSsl(tls).setTrustAll(true)
                .setVerifyHost(false));
        AtomicLongArray samples = new AtomicLongArray(clients * rounds);
        AtomicInteger sampleCount = new AtomicInteger();
        CountDownLatch initialNodes = new CountDownLatch(clients);
        CountDownLatch allSamples = new CountDownLatch(clients * rounds);
        List<CoordinatorClient> peers = new ArrayList<>();
        try {
            CoordinatorClient agent = CoordinatorClient.connect(BenchClients.newContext(vertx), ws, http,
                    options(tokens.apply(agentId, true), Target.agent()), event -> { });
            peers.add(agent);
            agent.connected().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            agent.updateSelf(node(agentId, 0));
            for (int i = 0; i < clients; i++) {
                CoordinatorClient client = CoordinatorClient.connect(BenchClients.newContext(vertx), ws, http,
                        options(tokens.apply(agentId, false), Target.agentClient(agentId)), event -> {
                            if (!(event instanceof CoordinatorEvent.PeerChange change) || change.node() == null) {
                                return;
                            }
                            long now = System.nanoTime();
                            if (change.node().getId() == 0) {
                                initialNodes.countDown();
                                return;
                            }
                            Timestamp asOf = change.node().getAsOf();
                            int index = sampleCount.getAndIncrement();
                            if (index < samples.length()) {
                                samples.set(index, now - (asOf.getSeconds() * 1_000_000_000L + asOf.getNanos()));
                            }
                            allSamples.countDown();
                        });
                client.addTunnel(agentId);
                peers.add(client);
            }
            if (!initialNodes.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + (clients - initialNodes.getCount())
                        + " clients got the agent's node");
            }
            for (int round = 1; round <= rounds; round++) {
                agent.updateSelf(node(agentId, round));
                Thread.sleep(100);
            }
            allSamples.await(60, TimeUnit.SECONDS);
        } finally {
            Future.join(peers.stream().map(CoordinatorClient::close).toList()).eventually(() -> ws.close())
                    .eventually(() -> http.close()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        long[] collected = new long[Math.min(sampleCount.get(), samples.length())];
        for (int i = 0; i < collected.length; i++) {
            collected[i] = samples.get(i);
        }
        return LatencyStats.of(collected);
    }

    private CoordinatorClientOptions options(String token, Target target) {
        return CoordinatorClientOptions.of(base, token, target).withTrustAll(true);
    }

    /** A node whose as_of carries System.nanoTime() (same process: a monotonic send stamp). */
    private static Node node(UUID agentId, int round) {
        long now = System.nanoTime();
        return Node.newBuilder().setId(round).setPreferredDerp(999).addAddresses(TailnetAddresses.agentAddress(agentId))
                .setAsOf(Timestamp.newBuilder().setSeconds(now / 1_000_000_000L).setNanos((int) (now % 1_000_000_000L)))
                .build();
    }
}
