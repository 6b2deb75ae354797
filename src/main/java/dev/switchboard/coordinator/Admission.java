package dev.switchboard.coordinator;

import dev.switchboard.auth.AuthenticationException;
import dev.switchboard.auth.Principal;
import dev.switchboard.auth.Role;

import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Who may open a coordinate stream, decided before the WebSocket upgrade (Coder's `coderd/workspaceagents.go`
 * workspaceAgentClientCoordinate and `tailnet/service.go`): a pure ladder of rungs, each either passing or rejecting
 * with the HTTP status and Coder-style error body the transport sends. No HTTP types here, so every rung is
 * unit-testable; the transport only maps the request in and the decision out.
 *
 * <p>Rungs, in order (the order is observable: a request failing two rungs gets the first one's answer):
 * agent path parameter, role vs endpoint, reachability, browser-only, version, resume token, WebSocket upgrade.
 */
public final class Admission {
    /** The three coordinate endpoints; they differ in role, default version and peer ID. */
    public enum Endpoint {
        /** {@code /api/v2/workspaceagents/me/coordinate}: the agent itself; peer ID = agent ID. */
        AGENT,
        /** {@code /api/v2/workspaceagents/{agent}/coordinate}: a client bound to one agent. */
        BOUND_CLIENT,
        /** {@code /api/v2/tailnet}: a user-scoped client (Coder Connect). */
        USER_CLIENT
    }

    /**
     * What the transport saw.
     *
     * @param agentParam  the raw {@code {agent}} path parameter (BOUND_CLIENT only, else ignored)
     * @param version     the {@code version} query parameter, null when absent
     * @param resumeToken the {@code resume_token} query parameter, null when absent
     * @param upgrade     whether the request asks for a WebSocket upgrade
     */
    public record Request(Endpoint endpoint, Principal principal, String agentParam, String version,
                          String resumeToken, boolean upgrade) {
        public Request {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(principal, "principal");
        }
    }

    /** Verifies a resume token, returning the peer ID it was issued for (auth.ResumeTokens in production). */
    @FunctionalInterface
    public interface ResumeVerifier {
        UUID verify(String token) throws AuthenticationException;
    }

    /** The outcome: exactly one of admitted or rejected. */
    public sealed interface Decision permits Admitted, Rejected {
    }

    /**
     * The stream may open.
     *
     * @param peerId the coordinator peer ID (agent ID, resumed ID, or fresh)
     * @param name   the debug-page stream name (Coder: {@code client}, or one naming the agent)
     * @param owner  the principal running the peer (resume tokens are issued to it only)
     * @param policy what the peer may ask for (Coder's `tailnet/tunnel.go` CoordinateeAuth)
     */
    public record Admitted(UUID peerId, String name, UUID owner, Authorization policy) implements Decision {
    }

    /**
     * The request is refused before the upgrade with a Coder error body
     * {@code {"message":…,"detail":…,"validations":[{"field":…,"detail":…}]}}; detail and validation may be null.
     */
    public record Rejected(int status, String message, String detail, String validationField,
                           String validationDetail) implements Decision {
        static Rejected of(int status, String message) {
            return new Rejected(status, message, null, null, null);
        }

        static Rejected of(int status, String message, String detail) {
            return new Rejected(status, message, detail, null, null);
        }

        Rejected withValidation(String field, String fieldDetail) {
            return new Rejected(status, message, detail, field, fieldDetail);
        }
    }

    private final boolean browserOnly;
    private final ResumeVerifier resumeTokens;
    private final Supplier<UUID> freshIds;

    /**
     * @param browserOnly  CODER_BROWSER_ONLY: client endpoints answer 409 (agents and the server's own peer still
     *                     coordinate)
     * @param resumeTokens verifies {@code resume_token}
     * @param freshIds     peer IDs for clients without a resume token (random in production)
     */
    public Admission(boolean browserOnly, ResumeVerifier resumeTokens, Supplier<UUID> freshIds) {
        this.browserOnly = browserOnly;
        this.resumeTokens = Objects.requireNonNull(resumeTokens, "resumeTokens");
        this.freshIds = Objects.requireNonNull(freshIds, "freshIds");
    }

    public Decision decide(Request request) {
        Endpoint endpoint = request.endpoint();
        Principal principal = request.principal();
        UUID agent = null;
        if (endpoint == Endpoint.BOUND_CLIENT) {
            agent = parseUuid(request.agentParam());
            if (agent == null) {
                return Rejected.of(400, "Invalid agent ID.", "\"" + request.agentParam() + "\" is not a UUID.")
                        .withValidation("agent", "must be a UUID");
            }
        }
        if (endpoint == Endpoint.AGENT && principal.role() != Role.AGENT) {
            return Rejected.of(403, "Forbidden.", "This endpoint is for workspace agents.");
        }
        if (endpoint != Endpoint.AGENT && principal.role() == Role.AGENT) {
            return Rejected.of(403, "Forbidden.", "Workspace agents cannot connect as clients.");
        }
        if (agent != null && !principal.mayReach(agent)) {
            // 404, not 403: do not reveal whether the agent exists (Coder answers 404 without SSH permission).
            return Rejected.of(404, "Resource not found or you do not have access to this resource");
        }
        if (endpoint != Endpoint.AGENT && browserOnly) {
            return Rejected.of(409, "Non-browser connections are disabled for your deployment.");
        }
        // Coder defaults the agent-bound endpoint to 1.0 (the retired JSON protocol), so omitting it is refused.
        String version = request.version() != null ? request.version()
                : endpoint == Endpoint.BOUND_CLIENT ? "1.0" : "2.0";
        if (!version.matches("2\\.\\d+")) {
            return Rejected.of(400, "Unknown or unsupported API version", "Version \"" + version
                            + "\" is not supported; this server speaks tailnet API 2.x.")
                    .withValidation("version", "unsupported version " + version);
        }
        UUID peerId = endpoint == Endpoint.AGENT ? principal.subject() : null;
        if (request.resumeToken() != null && endpoint != Endpoint.AGENT) {
            try {
                peerId = resumeTokens.verify(request.resumeToken());
            } catch (AuthenticationException e) {
                // Clients drop their token and redial at once only for this validation field (Coder's `tailnet/resume.go`).
                return Rejected.of(401, "Invalid resume token", e.getMessage())
                        .withValidation("resume_token", "Invalid resume token");
            }
        }
        if (!request.upgrade()) {
            return Rejected.of(400, "This endpoint requires a WebSocket upgrade.");
        }
        if (peerId == null) {
            peerId = freshIds.get();
        }
        return switch (endpoint) {
            case AGENT -> new Admitted(peerId, "agent " + principal.subject(), principal.subject(),
                    Authorizations.agent(principal.subject()));
            case BOUND_CLIENT -> new Admitted(peerId, "client", principal.subject(), Authorizations.client(agent));
            case USER_CLIENT -> new Admitted(peerId, "client", principal.subject(),
                    Authorizations.userClient(principal.subject(), principal.reachableAgents()));
        };
    }

    private static UUID parseUuid(String text) {
        try {
            return text == null ? null : UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
