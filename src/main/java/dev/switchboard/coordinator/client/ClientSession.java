package dev.switchboard.coordinator.client;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.switchboard.coordinator.client.CoordinatorEvent.Closed;
import dev.switchboard.coordinator.client.CoordinatorEvent.ConnectionLost;
import dev.switchboard.coordinator.client.CoordinatorEvent.Connected;
import dev.switchboard.coordinator.client.CoordinatorEvent.Rejected;
import dev.switchboard.coordinator.client.CoordinatorEvent.ServerError;
import dev.switchboard.coordinator.proto.CoordinateRequest;
import dev.switchboard.coordinator.proto.CoordinateResponse;
import dev.switchboard.coordinator.proto.Node;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The event-loop half of a {@link CoordinatorClient}: one stream at a time, dialled, resynced, redialled with
 * backoff and ended here. Every method runs on the client's context; only the volatile views are read elsewhere.
 * Closing the stream without {@code disconnect} on a send failure or loss is what Coder's client does too
 * (`tailnet/controllers.go`): the server then reports the peer LOST, and a resumed stream continues it.
 */
final class ClientSession {
    private static final System.Logger LOG = System.getLogger(CoordinatorClient.class.getName());
    /** coder/coder `tailnet/coordinator.go`: the old stream's error when the same peer ID connects again. */
    private static final String OVERWRITTEN = "peer ID overwritten by new connection";
    /** The one non-fatal CoordinateResponse.error (coder/coder `tailnet/coordinator.go` handleReadyForHandshake). */
    private static final String NON_FATAL_PREFIX = "ready for handshake error";

    private enum State { DIALING, CONNECTED, BACKOFF, DISCONNECTING, CLOSED }

    // Immutable after construction.
    private final Vertx vertx;
    private final WebSocketClient webSockets;
    private final HttpClient http;
    private final boolean ownsClients;
    private final CoordinatorClientOptions options;
    private final Consumer<CoordinatorEvent> listener;
    private final Backoff backoff;
    private final Outbox outbox;
    final Promise<UUID> firstConnect = Promise.promise();
    final Promise<Void> terminated = Promise.promise();

    // Written on the event loop, read from any thread (the client's getters and its refusal of sends after close).
    volatile UUID peerIdView;
    volatile String resumeTokenView;
    volatile boolean stopped;

    // Owned by the client's event loop: read and written only there.
    private State state = State.DIALING;
    private WebSocket socket;
    private UUID peerId;
    private Node self;
    private final Set<UUID> tunnels = new LinkedHashSet<>();
    private ServerApi.ResumeToken resumeToken;
    private int attempt;
    private String streamError;
    private long retryTimer = -1;
    private long refreshTimer = -1;

    ClientSession(Vertx vertx, WebSocketClient webSockets, HttpClient http, boolean ownsClients,
                  CoordinatorClientOptions options, Consumer<CoordinatorEvent> listener, Outbox outbox) {
        this.vertx = vertx;
        this.webSockets = webSockets;
        this.http = http;
        this.ownsClients = ownsClients;
        this.options = options;
        this.listener = listener;
        this.outbox = outbox;
        this.backoff = new Backoff(options.initialBackoff(), options.maxBackoff(), options.jitter(),
                () -> ThreadLocalRandom.current().nextDouble());
        options.resumeToken().ifPresent(t -> resumeToken = new ServerApi.ResumeToken(t, Duration.ZERO, Instant.MAX));
    }

    /** Remembers the node; it is re-sent on every new stream. */
    void rememberSelf(Node node) {
        self = node;
    }

    /** Remembers the tunnel set; every tunnel is re-added on every new stream (Coder's tunnel sources do so). */
    void rememberTunnel(UUID dst, boolean open) {
        if (open) {
            tunnels.add(dst);
        } else {
            tunnels.remove(dst);
        }
    }

    /** Sends a request whose {@link Outbox} slot the caller reserved, or frees the slot if there is no stream. */
    void send(CoordinateRequest request) {
        if (state == State.CONNECTED) {
            outbox.add(request, true);
            outbox.flush(socket);
        } else {
            outbox.unreserve(); // the remembered node and tunnels are re-sent on connect; nothing else is replayed
        }
    }

    boolean accepting() {
        return state != State.CLOSED && state != State.DISCONNECTING;
    }

    void disconnect() {
        if (state != State.CONNECTED) {
            terminate("closed while not connected");
            return;
        }
        state = State.DISCONNECTING;
        outbox.add(CoordinateRequest.newBuilder()
                .setDisconnect(CoordinateRequest.Disconnect.getDefaultInstance()).build(), false);
        outbox.flush(socket);
        WebSocket current = socket;
        vertx.setTimer(Math.max(1, options.disconnectTimeout().toMillis()), id -> {
            if (socket == current && state == State.DISCONNECTING) {
                terminate("disconnected (the server did not hang up in time)");
            }
        });
    }

    void close() {
        terminate("closed");
    }

    void dial() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.DIALING;
        boolean presenting = options.target().resumable() && resumeToken != null
                && resumeToken.expiresAt().isAfter(Instant.now());
        webSockets.connect(ServerApi.dialOptions(options, presenting ? resumeToken.token() : null)).onComplete(result -> {
            if (result.succeeded()) {
                onOpen(result.result(), presenting);
            } else {
                onDialFailed(result.cause(), presenting);
            }
        });
    }

    /** @param resumed a resume token was presented and accepted (an invalid one is refused with 401) */
    private void onOpen(WebSocket ws, boolean resumed) {
        if (state == State.CLOSED) {
            ws.close();
            return;
        }
        socket = ws;
        peerId = Wire.parseUuid(ws.headers().get(ServerApi.PEER_ID_HEADER));
        peerIdView = peerId;
        state = State.CONNECTED;
        attempt = 0;
        streamError = null;
        ws.binaryMessageHandler(message -> onMessage(ws, message));
        ws.closeHandler(v -> onSocketClosed(ws));
        ws.drainHandler(v -> {
            if (socket == ws) {
                outbox.flush(ws);
            }
        });
        ws.exceptionHandler(e -> LOG.log(System.Logger.Level.DEBUG, "coordinate stream: {0}", e.toString()));
        outbox.clear();
        if (self != null) {
            outbox.add(Wire.updateSelf(self), false);
        }
        tunnels.forEach(dst -> outbox.add(Wire.tunnel(dst, true), false));
        outbox.flush(ws);
        emit(new Connected(peerId, resumed));
        firstConnect.tryComplete(peerId);
        if (options.target().resumable() && peerId != null) {
            refreshResumeToken(ws);
        }
    }

    private void onDialFailed(Throwable cause, boolean presentedToken) {
        if (state == State.CLOSED) {
            return;
        }
        if (cause instanceof UpgradeRejectedException rejected) {
            ServerApi.ErrorBody body = ServerApi.errorBody(rejected.getBody());
            switch (ServerApi.classify(rejected.getStatus(), body, presentedToken)) {
                case DROP_RESUME_TOKEN -> {
                    resumeToken = null;
                    resumeTokenView = null;
                    emit(new ConnectionLost("invalid resume token", attempt, Duration.ZERO));
                    dial();
                }
                case PERMANENT -> {
                    emit(new Rejected(rejected.getStatus(), body.message(), body.detail()));
                    terminate("rejected: HTTP " + rejected.getStatus() + " " + body.message());
                }
                case RETRY -> retry("HTTP " + rejected.getStatus() + " " + body.message());
            }
            return;
        }
        retry(cause.getMessage() == null ? cause.toString() : cause.getMessage());
    }

    private void onMessage(WebSocket ws, Buffer message) {
        if (ws != socket) {
            return; // a replaced stream's leftovers
        }
        CoordinateResponse response;
        try {
            response = CoordinateResponse.parseFrom(message.getBytes());
        } catch (InvalidProtocolBufferException e) {
            streamError = "invalid CoordinateResponse from the server";
            ws.close();
            return;
        }
        for (CoordinateResponse.PeerUpdate update : response.getPeerUpdatesList()) {
            UUID peer = Wire.uuid(update.getId());
            if (peer != null) {
                emit(new CoordinatorEvent.PeerChange(peer, update.getKind(), update.hasNode() ? update.getNode() : null,
                        update.getReason()));
            }
        }
        if (!response.getError().isEmpty()) {
            boolean fatal = !response.getError().startsWith(NON_FATAL_PREFIX);
            if (fatal) {
                streamError = response.getError();
            }
            emit(new ServerError(response.getError(), fatal));
        }
    }

    private void onSocketClosed(WebSocket ws) {
        if (ws != socket) {
            return;
        }
        socket = null;
        refreshTimer = cancel(refreshTimer);
        outbox.clear();
        if (state == State.DISCONNECTING) {
            terminate("disconnected");
        } else if (OVERWRITTEN.equals(streamError)) {
            terminate(OVERWRITTEN); // redialling would take the identity back and forth
        } else if (state == State.CONNECTED) {
            retry(streamError != null ? streamError : "connection closed"
                    + (ws.closeStatusCode() == null ? "" : " (" + ws.closeStatusCode() + ")"));
        }
    }

    private void retry(String reason) {
        attempt++;
        if (options.maxAttempts() > 0 && attempt > options.maxAttempts()) {
            terminate("gave up after " + options.maxAttempts() + " attempts: " + reason);
            return;
        }
        Duration delay = backoff.delay(attempt);
        state = State.BACKOFF;
        emit(new ConnectionLost(reason, attempt, delay));
        retryTimer = vertx.setTimer(Math.max(1, delay.toMillis()), id -> {
            retryTimer = -1;
            dial();
        });
    }

    /** RefreshResumeToken now and again at refresh_in while this stream lasts; failures only cost the resume. */
    private void refreshResumeToken(WebSocket ws) {
        ServerApi.fetchResumeToken(http, options, peerId).onComplete(result -> {
            if (socket != ws || state != State.CONNECTED) {
                return;
            }
            if (result.failed()) {
                LOG.log(System.Logger.Level.INFO, "resume token unavailable: {0}", result.cause().getMessage());
                return;
            }
            resumeToken = result.result();
            resumeTokenView = resumeToken.token();
            refreshTimer = vertx.setTimer(Math.max(1, resumeToken.refreshIn().toMillis()), id -> {
                refreshTimer = -1;
                refreshResumeToken(ws);
            });
        });
    }

    /** Cancels a timer if set; returns the "no timer" value to store. */
    private long cancel(long timer) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        return -1;
    }

    void terminate(String reason) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        stopped = true;
        refreshTimer = cancel(refreshTimer);
        retryTimer = cancel(retryTimer);
        outbox.clear();
        WebSocket ws = socket;
        socket = null;
        Future<Void> hungUp = ws == null || ws.isClosed() ? Future.succeededFuture() : ws.close();
        emit(new Closed(reason));
        firstConnect.tryFail(new IllegalStateException("coordinator client stopped: " + reason));
        hungUp.eventually(() -> ownsClients ? webSockets.close().eventually(() -> http.close())
                        : Future.succeededFuture())
                .onComplete(v -> terminated.tryComplete());
    }

    private void emit(CoordinatorEvent event) {
        try {
            listener.accept(event);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "coordinator event listener failed on " + event, e);
        }
    }
}
