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
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The coordination peers of the coordinator benches: agents and clients, each a {@link CoordinatorClient} on an
 * event-loop context of its own (the loops taken in turn, so the work spreads over every core), all sharing one
 * WebSocket and one HTTP client. Nodes carry {@code System.nanoTime()} in {@code as_of}: tool and agents are one
 * process, so a client's receive time minus that stamp is the update's propagation delay.
 */
public final class CoordinatorPeers implements AutoCloseable {
    private final Vertx vertx;
    private final WebSocketClient ws;
    private final HttpClient http;
    /** Touched by the bench's own thread only. */
    private final List<CoordinatorClient> open = new ArrayList<>();

    /** @param connections how many peers may be connected at once (the shared WebSocket client's limit) */
    public CoordinatorPeers(Vertx vertx, boolean tls, int connections) {
        this.vertx = vertx;
        ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(connections).setSsl(tls)
                .setTrustAll(true).setVerifyHost(false));
        http = vertx.createHttpClient(new HttpClientOptions().setSsl(tls).setTrustAll(true).setVerifyHost(false));
    }

    /** Receives every node of the agent a client is tunnelled to, with its receive time; runs on an event loop. */
    @FunctionalInterface
    public interface NodeListener {
        void node(Node node, long receivedNanos);
    }

    /** An agent on {@code base} that publishes {@code node} (again after every reconnect, as a real agent does). */
    public CoordinatorClient agent(URI base, String token, Node node) {
        CoordinatorClient agent = connect(CoordinatorClientOptions.of(base, token, Target.agent()), event -> { });
        agent.updateSelf(node);
        return agent;
    }

    /**
     * A client on {@code base} that publishes {@code self} if given ({@link #clientNode()}), then opens a tunnel to
     * {@code agentId}: the order a redialling client re-sends them in.
     *
     * @param resumeToken an earlier client's token: the server keeps that peer ID, as for a client that redials
     */
    public CoordinatorClient client(URI base, String token, UUID agentId, Optional<String> resumeToken,
                                    Optional<Node> self, NodeListener listener) {
        CoordinatorClientOptions options = CoordinatorClientOptions.of(base, token, Target.agentClient(agentId));
        CoordinatorClient client = connect(resumeToken.map(options::withResumeToken).orElse(options), event -> {
            if (event instanceof CoordinatorEvent.PeerChange change && change.node() != null
                    && agentId.equals(change.peer())) {
                listener.node(change.node(), System.nanoTime());
            }
        });
        self.ifPresent(client::updateSelf);
        client.addTunnel(agentId);
        return client;
    }

    private CoordinatorClient connect(CoordinatorClientOptions options, Consumer<CoordinatorEvent> events) {
        CoordinatorClient peer = CoordinatorClient.connect(BenchClients.newContext(vertx), ws, http,
                options.withTrustAll(true), events);
        open.add(peer);
        return peer;
    }

    /** Hangs up every peer at once without {@code disconnect} (their tunnel peers see LOST) and waits until done. */
    public void closeAll() throws Exception {
        List<Future<Void>> closing = open.stream().map(CoordinatorClient::close).toList();
        open.clear();
        Future.join(closing).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        try {
            closeAll();
        } finally {
            ws.close().eventually(() -> http.close()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** An agent's node {@code id}, stamped with the current {@code System.nanoTime()}. */
    public static Node agentNode(UUID agentId, long id) {
        long now = System.nanoTime();
        return Node.newBuilder().setId(id).setPreferredDerp(999).addAddresses(TailnetAddresses.agentAddress(agentId))
                .setAsOf(Timestamp.newBuilder().setSeconds(now / 1_000_000_000L).setNanos((int) (now % 1_000_000_000L)))
                .build();
    }

    /** A client's node: a random address, as a CLI client picks one. */
    public static Node clientNode() {
        return Node.newBuilder().setPreferredDerp(999).addAddresses(TailnetAddresses.clientAddress(UUID.randomUUID()))
                .build();
    }

    /** How long {@code node} took from its stamp to {@code receivedNanos}. */
    public static long delayNanos(Node node, long receivedNanos) {
        Timestamp asOf = node.getAsOf();
        return receivedNanos - (asOf.getSeconds() * 1_000_000_000L + asOf.getNanos());
    }
}
