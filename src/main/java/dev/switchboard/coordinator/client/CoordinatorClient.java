package dev.switchboard.coordinator.client;

import dev.switchboard.coordinator.client.CoordinatorEvent.Closed;
import dev.switchboard.coordinator.client.CoordinatorEvent.Rejected;
import dev.switchboard.coordinator.proto.CoordinateRequest;
import dev.switchboard.coordinator.proto.Node;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * An asynchronous tailnet v2 coordination peer over Switchboard's coordinate WebSocket: one serialized
 * CoordinateRequest per binary message out, one CoordinateResponse per message in (coder/coder
 * `tailnet/proto/tailnet.proto`; Coder runs the same messages over yamux + dRPC).
 *
 * <p>It behaves like Coder's tunnel client (`tailnet/controllers.go`): it remembers its own node and tunnels and
 * re-sends them after every reconnect; it keeps the latest resume token and presents it when redialling, so the
 * server keeps its peer ID and tunnel peers see no churn; it redials with bounded, jittered exponential backoff,
 * except after a 4xx refusal (reported once as {@link Rejected}) or {@code peer ID overwritten by new connection}
 * (another connection took the identity). {@link #disconnect()} sends {@code disconnect} and waits for the server
 * to hang up; {@link #close()} hangs up without it.
 *
 * <p>Threading: every public method may be called from any thread and never blocks. All state lives on one Vert.x
 * event-loop context ({@link ClientSession}), where {@link CoordinatorEvent}s are delivered; listeners must not
 * block. Sends are refused ({@code false}) once {@link CoordinatorClientOptions#sendQueueLimit()} requests wait to
 * be written, and after the client stopped.
 */
public final class CoordinatorClient {
    // Immutable after construction: used from any thread.
    private final Context context;
    /** Bounded send queue: slots reserved here on any thread, requests queued and written on the event loop. */
    private final Outbox outbox;
    /** Event-loop state; only its volatile views and promises are touched from other threads. */
    private final ClientSession session;

    private CoordinatorClient(Context context, WebSocketClient webSockets, HttpClient http, boolean ownsClients,
                              CoordinatorClientOptions options, Consumer<CoordinatorEvent> listener) {
        this.context = context;
        this.outbox = new Outbox(options.sendQueueLimit());
        this.session = new ClientSession(context.owner(), webSockets, http, ownsClients, options, listener, outbox);
    }

    /** Starts a client with its own WebSocket and HTTP clients, on a context of {@code vertx}; returns at once. */
    public static CoordinatorClient connect(Vertx vertx, CoordinatorClientOptions options,
                                            Consumer<CoordinatorEvent> listener) {
        WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(options.tls())
                .setTrustAll(options.trustAll()).setVerifyHost(!options.trustAll())
                .setConnectTimeout((int) options.connectTimeout().toMillis()));
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setSsl(options.tls())
                .setTrustAll(options.trustAll()).setVerifyHost(!options.trustAll()));
        return start(new CoordinatorClient(vertx.getOrCreateContext(), ws, http, true, options, listener));
    }

    /**
     * Starts a client on {@code context} (an event-loop context) with shared WebSocket and HTTP clients, for many
     * peers in one process (a load generator); they stay open when this client stops.
     */
    public static CoordinatorClient connect(Context context, WebSocketClient webSockets, HttpClient http,
                                            CoordinatorClientOptions options, Consumer<CoordinatorEvent> listener) {
        return start(new CoordinatorClient(context, webSockets, http, false, options, listener));
    }

    private static CoordinatorClient start(CoordinatorClient client) {
        client.context.runOnContext(v -> client.session.dial());
        return client;
    }

    /** Completes with the peer ID once the first stream is open; fails if the client stops before that. */
    public Future<UUID> connected() {
        return session.firstConnect.future();
    }

    /** Completes once the client has stopped for good, after {@link Closed} was delivered. */
    public Future<Void> closed() {
        return session.terminated.future();
    }

    /** The current (or last) stream's peer ID; empty before the first connection. */
    public Optional<UUID> peerId() {
        return Optional.ofNullable(session.peerIdView);
    }

    /** The latest resume token; a later process may pass it to {@link CoordinatorClientOptions#withResumeToken}. */
    public Optional<String> resumeToken() {
        return Optional.ofNullable(session.resumeTokenView);
    }

    /** UpdateSelf: publishes this peer's node now and after every reconnect. */
    public boolean updateSelf(Node node) {
        return submit(() -> {
            session.rememberSelf(node);
            return Wire.updateSelf(node);
        });
    }

    /** AddTunnel to {@code dst}; the tunnel is re-added after every reconnect. */
    public boolean addTunnel(UUID dst) {
        return submit(() -> {
            session.rememberTunnel(dst, true);
            return Wire.tunnel(dst, true);
        });
    }

    /** RemoveTunnel to {@code dst}; both sides get DISCONNECTED. */
    public boolean removeTunnel(UUID dst) {
        return submit(() -> {
            session.rememberTunnel(dst, false);
            return Wire.tunnel(dst, false);
        });
    }

    /**
     * ReadyForHandshake (agents): these peers' nodes are programmed, so their WireGuard handshakes will not be
     * dropped. Not replayed after a reconnect (the server re-sends the nodes, and the agent acknowledges again).
     */
    public boolean readyForHandshake(Collection<UUID> peers) {
        List<UUID> ids = List.copyOf(peers);
        return submit(() -> {
            CoordinateRequest.Builder request = CoordinateRequest.newBuilder();
            ids.forEach(id -> request.addReadyForHandshake(
                    CoordinateRequest.ReadyForHandshake.newBuilder().setId(Wire.bytes(id))));
            return request.build();
        });
    }

    /**
     * Graceful end: sends {@code disconnect} (tunnel peers see DISCONNECTED, not LOST), waits up to
     * {@link CoordinatorClientOptions#disconnectTimeout()} for the server to hang up, then closes.
     */
    public Future<Void> disconnect() {
        context.runOnContext(v -> session.disconnect());
        return closed();
    }

    /** Hangs up without {@code disconnect}: tunnel peers see LOST and keep the node (a resume continues it). */
    public Future<Void> close() {
        context.runOnContext(v -> session.close());
        return closed();
    }

    /** Reserves a send-queue slot here, then builds (and remembers) the request on the event loop. */
    private boolean submit(java.util.function.Supplier<CoordinateRequest> onLoop) {
        if (session.stopped || !outbox.reserve()) {
            return false;
        }
        context.runOnContext(v -> {
            if (!session.accepting()) {
                outbox.unreserve();
                return;
            }
            session.send(onLoop.get());
        });
        return true;
    }
}
