package dev.switchboard.coordinator.transport;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.switchboard.http.ApiError;
import dev.switchboard.http.WebSocketPings;
import dev.switchboard.auth.AuthenticationException;
import dev.switchboard.auth.BearerAuthenticator;
import dev.switchboard.auth.Principal;
import dev.switchboard.auth.ResumeTokens;
import dev.switchboard.auth.Role;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.coordinator.Authorization;
import dev.switchboard.coordinator.Authorizations;
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
    public static final String PEER_ID_HEADER = "Switchboard-Peer-Id";

    private enum Endpoint { AGENT, BOUND_CLIENT, USER_CLIENT }

    private final BearerAuthenticator auth;
    private final ResumeTokens resumeTokens;
    private final CoordinatorService coordinators;
    private final SwitchboardConfig config;

    public CoordinateRoutes(BearerAuthenticator auth, ResumeTokens resumeTokens, CoordinatorService coordinators,
                            SwitchboardConfig config) {
        this.auth = auth;
        this.resumeTokens = resumeTokens;
        this.coordinators = coordinators;
        this.config = config;
    }

    void install(@Observes Router router) {
        router.get("/api/v2/workspaceagents/me/coordinate")
                .handler(rc -> auth.authenticate(rc, p -> coordinate(rc, p, Endpoint.AGENT)));
        router.get("/api/v2/workspaceagents/:agent/coordinate")
                .handler(rc -> auth.authenticate(rc, p -> coordinate(rc, p, Endpoint.BOUND_CLIENT)));
        router.get("/api/v2/tailnet").handler(rc -> auth.authenticate(rc, p -> coordinate(rc, p, Endpoint.USER_CLIENT)));
        router.post("/api/v2/tailnet/resume-token").handler(rc -> auth.authenticate(rc, p -> resumeToken(rc, p)));
    }

    private void coordinate(RoutingContext rc, Principal principal, Endpoint endpoint) {
        HttpServerRequest request = rc.request();
        UUID agent = null;
        if (endpoint == Endpoint.BOUND_CLIENT) {
            agent = parseUuid(rc.pathParam("agent"));
            if (agent == null) {
                ApiError.of(400, "Invalid agent ID.", "\"" + rc.pathParam("agent") + "\" is not a UUID.")
                        .withValidation("agent", "must be a UUID").send(rc.response());
                return;
            }
        }
        if (endpoint == Endpoint.AGENT && principal.role() != Role.AGENT) {
            ApiError.of(403, "Forbidden.", "This endpoint is for workspace agents.").send(rc.response());
            return;
        }
        if (endpoint != Endpoint.AGENT && principal.role() == Role.AGENT) {
            ApiError.of(403, "Forbidden.", "Workspace agents cannot connect as clients.").send(rc.response());
            return;
        }
        if (agent != null && !principal.mayReach(agent)) {
            // 404, not 403: do not reveal whether the agent exists.
            ApiError.of(404, "Resource not found or you do not have access to this resource").send(rc.response());
            return;
        }
        if (endpoint != Endpoint.AGENT && config.browserOnly()) {
            ApiError.of(409, "Non-browser connections are disabled for your deployment.").send(rc.response());
            return;
        }
        String version = request.getParam("version", endpoint == Endpoint.BOUND_CLIENT ? "1.0" : "2.0");
        if (!version.matches("2\\.\\d+")) {
            ApiError.of(400, "Unknown or unsupported API version", "Version \"" + version
                    + "\" is not supported; this server speaks tailnet API 2.x.")
                    .withValidation("version", "unsupported version " + version).send(rc.response());
            return;
        }
        UUID peerId = endpoint == Endpoint.AGENT ? principal.subject() : UUID.randomUUID();
        String resume = request.getParam("resume_token");
        if (resume != null && endpoint != Endpoint.AGENT) {
            try {
                peerId = resumeTokens.verify(resume);
            } catch (AuthenticationException e) {
                ApiError.of(401, "Invalid resume token", e.getMessage())
                        .withValidation("resume_token", "Invalid resume token").send(rc.response());
                return;
            }
        }
        if (!"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
            ApiError.of(400, "This endpoint requires a WebSocket upgrade.").send(rc.response());
            return;
        }
        Authorization policy = switch (endpoint) {
            case AGENT -> Authorizations.agent(principal.subject());
            case BOUND_CLIENT -> Authorizations.client(agent);
            case USER_CLIENT -> Authorizations.userClient(principal.subject(), principal.reachableAgents());
        };
        String name = endpoint == Endpoint.AGENT ? "agent " + principal.subject() : "client";
        accept(request, peerId, name, policy, principal);
    }

    private void accept(HttpServerRequest request, UUID peerId, String name, Authorization policy,
                        Principal principal) {
        request.response().putHeader(PEER_ID_HEADER, peerId.toString());
        request.toWebSocket().onSuccess((ServerWebSocket ws) -> {
            WebSocketPeerStream stream = new WebSocketPeerStream(ws, Vertx.currentContext());
            Peer peer;
            try {
                peer = coordinators.coordinator().connect(peerId, name, principal.subject(), policy, stream);
            } catch (CoordinationException e) {
                stream.close(e.getMessage()); // not registered: nobody to tell it is lost
                return;
            }
            Runnable stopPings = WebSocketPings.start(ws, "coordinate");
            ws.binaryMessageHandler(message -> onRequest(peer, stream, message));
            ws.textMessageHandler(text -> stream.close("coordinate requests are binary protobuf messages"));
            ws.closeHandler(v -> {
                stopPings.run();
                coordinators.coordinator().lost(peer);
            });
        }).onFailure(e -> LOG.debugf("coordinate: WebSocket upgrade failed: %s", e.getMessage()));
    }

    private void onRequest(Peer peer, WebSocketPeerStream stream, Buffer message) {
        if (message.length() > MAX_REQUEST_BYTES) {
            endStream(peer, stream, "coordinate request of " + message.length() + " bytes exceeds " + MAX_REQUEST_BYTES);
            return;
        }
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
        stream.close(error);
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
