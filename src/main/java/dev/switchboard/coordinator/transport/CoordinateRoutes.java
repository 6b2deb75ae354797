package dev.switchboard.coordinator.transport;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.switchboard.http.ApiError;
import dev.switchboard.http.BoundedWebSocketMessages;
import dev.switchboard.http.WebSocketPings;
import dev.switchboard.auth.BearerAuthenticator;
import dev.switchboard.auth.Principal;
import dev.switchboard.auth.ResumeTokens;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.coordinator.Admission;
import dev.switchboard.coordinator.Admission.Endpoint;
import dev.switchboard.coordinator.CoordinationException;
import dev.switchboard.coordinator.CoordinatorService;
import dev.switchboard.coordinator.Peer;
import dev.switchboard.coordinator.proto.CoordinateRequest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.UUID;

/**
 * The coordination endpoints (Coder's `coderd/workspaceagents.go` and `tailnet/service.go`): one WebSocket per peer, each binary message one
 * serialized CoordinateRequest (in) or CoordinateResponse (out). Errors before the upgrade are Coder's JSON bodies.
 */
@ApplicationScoped
public class CoordinateRoutes {
    private static final Logger LOG = Logger.getLogger(CoordinateRoutes.class);
    /** Largest CoordinateRequest accepted; a node with many endpoints is a few KiB. */
    public static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** RFC 6455 §7.4.1: 1000 normal closure, 1009 a message too big to process. */
    static final short NORMAL_CLOSURE = 1000;
    static final short MESSAGE_TOO_BIG = 1009;
    public static final String PEER_ID_HEADER = "Switchboard-Peer-Id";

    private final BearerAuthenticator auth;
    private final ResumeTokens resumeTokens;
    private final CoordinatorService coordinators;
    private final Admission admission;

    public CoordinateRoutes(BearerAuthenticator auth, ResumeTokens resumeTokens, CoordinatorService coordinators,
                            SwitchboardConfig config) {
        this.auth = auth;
        this.resumeTokens = resumeTokens;
        this.coordinators = coordinators;
        this.admission = new Admission(config.browserOnly(), resumeTokens::verify, UUID::randomUUID);
    }

    void install(@Observes Router router) {
        router.get("/api/v2/workspaceagents/me/coordinate")
                .handler(rc -> auth.authenticate(rc, p -> coordinate(rc, p, Endpoint.AGENT)));
        router.get("/api/v2/workspaceagents/:agent/coordinate")
                .handler(rc -> auth.authenticate(rc, p -> coordinate(rc, p, Endpoint.BOUND_CLIENT)));
        router.get("/api/v2/tailnet").handler(rc -> auth.authenticate(rc, p -> coordinate(rc, p, Endpoint.USER_CLIENT)));
        router.post("/api/v2/tailnet/resume-token").handler(rc -> auth.authenticate(rc, p -> resumeToken(rc, p)));
    }

    /** Maps the request onto the {@link Admission} ladder and its decision onto the upgrade or an error body. */
    private void coordinate(RoutingContext rc, Principal principal, Endpoint endpoint) {
        HttpServerRequest request = rc.request();
        Admission.Decision decision = admission.decide(new Admission.Request(endpoint, principal,
                endpoint == Endpoint.BOUND_CLIENT ? rc.pathParam("agent") : null, request.getParam("version"),
                request.getParam("resume_token"), "websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))));
        switch (decision) {
            case Admission.Rejected r -> new ApiError(r.status(), r.message(), r.detail(), r.validationField(),
                    r.validationDetail()).send(rc.response());
            case Admission.Admitted a -> accept(request, a);
        }
    }

    private void accept(HttpServerRequest request, Admission.Admitted admitted) {
        UUID peerId = admitted.peerId();
        request.response().putHeader(PEER_ID_HEADER, peerId.toString());
        request.toWebSocket().onSuccess((ServerWebSocket ws) -> {
            WebSocketPeerStream stream = new WebSocketPeerStream(ws, Vertx.currentContext());
            Peer peer;
            try {
                peer = coordinators.coordinator().connect(peerId, admitted.name(), admitted.owner(),
                        admitted.policy(), stream);
            } catch (CoordinationException e) {
                stream.close(e.getMessage()); // not registered: nobody to tell it is lost
                return;
            }
            Runnable stopPings = WebSocketPings.start(ws, "coordinate");
            // Bounded per message, not by the listener's 512 KiB WebSocket limits: see BoundedWebSocketMessages.
            BoundedWebSocketMessages.install(request, ws, MAX_REQUEST_BYTES, message -> onRequest(peer, stream, message),
                    text -> stream.close("coordinate requests are binary protobuf messages"),
                    seen -> endStream(peer, stream, tooBig(seen), MESSAGE_TOO_BIG));
            ws.closeHandler(v -> {
                stopPings.run();
                coordinators.coordinator().lost(peer);
            });
        }).onFailure(e -> LOG.debugf("coordinate: WebSocket upgrade failed: %s", e.getMessage()));
    }

    /** The error an oversized request gets; {@code seen} is how far it was read, past the limit, not its full size. */
    static String tooBig(long seen) {
        return "coordinate request of " + seen + " bytes exceeds " + MAX_REQUEST_BYTES;
    }

    private void onRequest(Peer peer, WebSocketPeerStream stream, Buffer message) {
        try {
            coordinators.coordinator().handle(peer, CoordinateRequest.parseFrom(message.getBytes()));
        } catch (InvalidProtocolBufferException e) {
            endStream(peer, stream, "invalid coordinate request: not a CoordinateRequest protobuf message");
        } catch (CoordinationException e) {
            endStream(peer, stream, e.getMessage());
        }
    }

    /** A request that ends the stream: the peer gets the reason, its tunnel peers see it LOST. */
    private void endStream(Peer peer, WebSocketPeerStream stream, String error) {
        endStream(peer, stream, error, NORMAL_CLOSURE);
    }

    private void endStream(Peer peer, WebSocketPeerStream stream, String error, short closeStatus) {
        stream.close(error, closeStatus);
        coordinators.coordinator().lost(peer);
    }

    /** RefreshResumeToken over REST: {@code {"peer_id":"<uuid>"}} for a peer this principal runs now. */
    private void resumeToken(RoutingContext rc, Principal principal) {
        rc.request().body().onSuccess(body -> {
            UUID peerId;
            try {
                peerId = parseUuid(body.toJsonObject().getString("peer_id"));
            } catch (RuntimeException e) {
                peerId = null;
            }
            if (peerId == null) {
                ApiError.of(400, "Invalid request body.", "Expected {\"peer_id\":\"<uuid>\"}.")
                        .withValidation("peer_id", "must be a UUID").send(rc.response());
                return;
            }
            if (!coordinators.coordinator().isConnectedAndOwnedBy(peerId, principal.subject())) {
                ApiError.of(404, "No coordinating peer with this ID is yours.").send(rc.response());
                return;
            }
            ResumeTokens.Issued issued = resumeTokens.issue(peerId);
            rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(new io.vertx.core.json.JsonObject()
                    .put("token", issued.token())
                    .put("refresh_in", issued.refreshIn().toSeconds() + "s")
                    .put("expires_at", issued.expiresAt().toString()).encode());
        });
        rc.request().resume();
    }

    private static UUID parseUuid(String text) {
        try {
            return text == null ? null : UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
