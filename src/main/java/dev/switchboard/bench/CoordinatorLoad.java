package dev.switchboard.bench;

import com.google.protobuf.Timestamp;
import dev.switchboard.coordinator.TailnetAddresses;
import dev.switchboard.coordinator.Uuids;
import dev.switchboard.coordinator.proto.CoordinateRequest;
import dev.switchboard.coordinator.proto.CoordinateResponse;
import dev.switchboard.coordinator.proto.Node;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Coordinator fan-out: one agent and N clients tunnelled to it. The agent publishes {@code rounds} node updates
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
    public LatencyStats run(UUID agentId, java.util.function.BiFunction<UUID, Boolean, String> tokens)
            throws Exception {
        WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(clients + 1)
                .setSsl("https".equals(base.getScheme())).setTrustAll(true).setVerifyHost(false));
        AtomicLongArray samples = new AtomicLongArray(clients * rounds);
        AtomicInteger sampleCount = new AtomicInteger();
        CountDownLatch initialNodes = new CountDownLatch(clients);
        CountDownLatch allSamples = new CountDownLatch(clients * rounds);
        WebSocket agent = connect(ws, "/api/v2/workspaceagents/me/coordinate?version=2.0", tokens.apply(agentId, true));
        agent.writeBinaryMessage(Buffer.buffer(update(agentId, 0).toByteArray()));
        List<WebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            WebSocket client = connect(ws, "/api/v2/workspaceagents/" + agentId + "/coordinate?version=2.0",
                    tokens.apply(agentId, false));
            client.binaryMessageHandler(message -> {
                long now = System.nanoTime();
                for (CoordinateResponse.PeerUpdate update : parse(message).getPeerUpdatesList()) {
                    if (update.hasNode()) {
                        long sentAt = update.getNode().getAsOf().getNanos() + update.getNode().getAsOf().getSeconds() * 1_000_000_000L;
                        if (update.getNode().getId() == 0) {
                            initialNodes.countDown();
                        } else {
                            int index = sampleCount.getAndIncrement();
                            if (index < samples.length()) {
                                samples.set(index, now - sentAt);
                            }
                            allSamples.countDown();
                        }
                    }
                }
            });
            client.writeBinaryMessage(Buffer.buffer(CoordinateRequest.newBuilder()
                    .setAddTunnel(CoordinateRequest.Tunnel.newBuilder().setId(Uuids.bytes(agentId))).build().toByteArray()));
            sockets.add(client);
        }
        if (!initialNodes.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("only " + (clients - initialNodes.getCount()) + " clients got the agent's node");
        }
        for (int round = 1; round <= rounds; round++) {
            agent.writeBinaryMessage(Buffer.buffer(update(agentId, round).toByteArray()));
            Thread.sleep(100);
        }
        allSamples.await(60, TimeUnit.SECONDS);
        long[] collected = new long[Math.min(sampleCount.get(), samples.length())];
        for (int i = 0; i < collected.length; i++) {
            collected[i] = samples.get(i);
        }
        for (WebSocket socket : sockets) {
            socket.close();
        }
        agent.close();
        ws.close();
        return LatencyStats.of(collected);
    }

    private WebSocket connect(WebSocketClient ws, String uri, String token) throws Exception {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(base.getHost())
                .setPort(base.getPort()).setSsl("https".equals(base.getScheme())).setURI(uri)
                .setHeaders(MultiMap.caseInsensitiveMultiMap().add("Coder-Session-Token", token));
        Future<WebSocket> future = ws.connect(options);
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** A node whose as_of carries System.nanoTime() (same process: a monotonic send stamp). */
    private static CoordinateRequest update(UUID agentId, int round) {
        long now = System.nanoTime();
        String address = TailnetAddresses.agentAddress(agentId);
        return CoordinateRequest.newBuilder().setUpdateSelf(CoordinateRequest.UpdateSelf.newBuilder()
                .setNode(Node.newBuilder().setId(round).setPreferredDerp(999).addAddresses(address)
                        .setAsOf(Timestamp.newBuilder().setSeconds(now / 1_000_000_000L)
                                .setNanos((int) (now % 1_000_000_000L))))).build();
    }

    private static CoordinateResponse parse(Buffer message) {
        try {
            return CoordinateResponse.parseFrom(message.getBytes());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
