package dev.switchboard.cli;

import dev.switchboard.coordinator.client.CoordinatorEvent;
import dev.switchboard.tailnet.engine.Engine;
import dev.switchboard.tailnet.engine.EngineEvents;
import dev.switchboard.tailnet.engine.EngineOptions;
import dev.switchboard.tailnet.magicsock.PathChange;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * A client command's tailnet: Vert.x, a client engine joined to one agent, and the wait until the agent has our node
 * (coder/coder {@code cli/ping.go}, {@code cli/speedtest.go}: wait for the agent, dial, then a first ping). Closing
 * disconnects the engine and stops Vert.x.
 */
final class AgentSession implements AutoCloseable {
    /** Every echo carries this, so a capture can tell our pings apart. */
    static final byte[] PING_PAYLOAD = "switchboard ping".getBytes(StandardCharsets.US_ASCII);

    final Vertx vertx;
    final Engine engine;
    final UUID agentId;
    private final CompletableFuture<String> refused;

    private AgentSession(Vertx vertx, Engine engine, UUID agentId, CompletableFuture<String> refused) {
        this.vertx = vertx;
        this.engine = engine;
        this.agentId = agentId;
        this.refused = refused;
    }

    /** Starts Vert.x and the engine; {@code onPath} sees every direct-path change, on the engine's loop. */
    static AgentSession start(EngineOptions options, BiConsumer<UUID, PathChange> onPath) throws Exception {
        Vertx vertx = CliVertx.create();
        CompletableFuture<String> refused = new CompletableFuture<>();
        EngineEvents events = new EngineEvents() {
            @Override
            public void coordinator(CoordinatorEvent event) {
                if (event instanceof CoordinatorEvent.Rejected r) {
                    refused.complete("coordinator refused: HTTP " + r.status() + " " + r.message());
                }
            }

            @Override
            public void pathChanged(UUID peer, PathChange change) {
                onPath.accept(peer, change);
            }
        };
        try {
            return new AgentSession(vertx, await(Engine.start(vertx, options, events), Duration.ofSeconds(30)),
                    options.agentId(), refused);
        } catch (Exception | Error e) {
            await(vertx.close(), Duration.ofSeconds(5));
            throw e;
        }
    }

    /**
     * Waits until the agent has our node (READY_FOR_HANDSHAKE) or {@code timeout} (older agents never say), then sends
     * one silent ping so the tunnel's handshake is done and the best path known before the command's work starts;
     * the coordinator's refusal if it refused us.
     */
    Optional<String> awaitAgent(Duration timeout) throws InterruptedException {
        CompletableFuture<Object> ready = CompletableFuture.anyOf(
                engine.awaitReady(agentId).toCompletionStage().toCompletableFuture(), refused);
        try {
            if (ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS) instanceof String refusal) {
                return Optional.of(refusal);
            }
        } catch (ExecutionException | TimeoutException e) {
            // Go on: what follows says whether the agent is reachable.
        }
        try {
            await(engine.ping(agentId, PING_PAYLOAD, timeout), timeout.plusSeconds(1));
        } catch (ExecutionException | TimeoutException e) {
            // Reported by the command's own work.
        }
        return Optional.empty();
    }

    static <T> T await(Future<T> f, Duration within)
            throws ExecutionException, TimeoutException, InterruptedException {
        return f.toCompletionStage().toCompletableFuture().get(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Disconnects and stops Vert.x, whether or not the caller was interrupted (Ctrl-C). */
    @Override
    public void close() throws Exception {
        Thread.interrupted();
        try {
            await(engine.close(), Duration.ofSeconds(5));
        } finally {
            Thread.interrupted();
            await(vertx.close(), Duration.ofSeconds(5));
        }
    }
}
