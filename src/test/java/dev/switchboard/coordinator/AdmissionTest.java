package dev.switchboard.coordinator;

import dev.switchboard.auth.AuthenticationException;
import dev.switchboard.auth.Principal;
import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenRejection;
import dev.switchboard.coordinator.Admission.Admitted;
import dev.switchboard.coordinator.Admission.Decision;
import dev.switchboard.coordinator.Admission.Endpoint;
import dev.switchboard.coordinator.Admission.Rejected;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Every rung of the coordinate admission ladder, without HTTP; texts are the wire contract, byte for byte. */
class AdmissionTest {
    private static final UUID FRESH = UUID.fromString("00000000-0000-4000-8000-000000000001");
    private static final UUID RESUMED = UUID.fromString("00000000-0000-4000-8000-000000000002");

    private final UUID agentId = UUID.randomUUID();
    private final Principal agent = new Principal(agentId, Role.AGENT, Set.of(), Instant.MAX);
    private final Principal user = new Principal(UUID.randomUUID(), Role.USER, Set.of(agentId), Instant.MAX);
    private final Principal stranger = new Principal(UUID.randomUUID(), Role.USER, Set.of(), Instant.MAX);
    private final Principal admin = new Principal(UUID.randomUUID(), Role.ADMIN, Set.of(), Instant.MAX);

    private static final Admission.ResumeVerifier TOKENS = token -> {
        if (token.equals("good")) {
            return RESUMED;
        }
        throw new AuthenticationException(TokenRejection.INVALID_RESUME_TOKEN);
    };

    private final Admission open = new Admission(false, TOKENS, () -> FRESH);
    private final Admission browserOnly = new Admission(true, TOKENS, () -> FRESH);

    private Decision bound(Admission admission, Principal who, String version, String resume) {
        return admission.decide(new Admission.Request(Endpoint.BOUND_CLIENT, who, agentId.toString(), version, resume,
                true));
    }

    private static Rejected rejected(Decision decision, int status, String message, String detail) {
        Rejected r = assertInstanceOf(Rejected.class, decision);
        assertEquals(status, r.status());
        assertEquals(message, r.message());
        assertEquals(detail, r.detail());
        return r;
    }

    private static void validation(Rejected r, String field, String detail) {
        assertEquals(field, r.validationField());
        assertEquals(detail, r.validationDetail());
    }

    @Test
    void agentPathParameterMustBeAUuid() {
        Rejected r = rejected(open.decide(new Admission.Request(Endpoint.BOUND_CLIENT, user, "nope", "2.0", null, true)),
                400, "Invalid agent ID.", "\"nope\" is not a UUID.");
        validation(r, "agent", "must be a UUID");
    }

    @Test
    void theAgentEndpointIsForAgentsOnly() {
        Rejected r = rejected(open.decide(new Admission.Request(Endpoint.AGENT, user, null, "2.0", null, true)),
                403, "Forbidden.", "This endpoint is for workspace agents.");
        validation(r, null, null);
    }

    @Test
    void agentsCannotConnectAsClients() {
        for (Endpoint endpoint : new Endpoint[]{Endpoint.BOUND_CLIENT, Endpoint.USER_CLIENT}) {
            rejected(open.decide(new Admission.Request(endpoint, agent, agentId.toString(), "2.0", null, true)),
                    403, "Forbidden.", "Workspace agents cannot connect as clients.");
        }
    }

    @Test
    void anUnreachableAgentIsNotFound() {
        rejected(bound(open, stranger, "2.0", null), 404,
                "Resource not found or you do not have access to this resource", null);
    }

    @Test
    void browserOnlyRefusesClientEndpointsButNotAgents() {
        rejected(bound(browserOnly, user, "2.0", null), 409,
                "Non-browser connections are disabled for your deployment.", null);
        rejected(browserOnly.decide(new Admission.Request(Endpoint.USER_CLIENT, user, null, "2.0", null, true)), 409,
                "Non-browser connections are disabled for your deployment.", null);
        assertInstanceOf(Admitted.class,
                browserOnly.decide(new Admission.Request(Endpoint.AGENT, agent, null, "2.0", null, true)));
    }

    @Test
    void theBoundClientEndpointDefaultsToTheRetiredVersion1() {
        Rejected r = rejected(bound(open, user, null, null), 400, "Unknown or unsupported API version",
                "Version \"1.0\" is not supported; this server speaks tailnet API 2.x.");
        validation(r, "version", "unsupported version 1.0");
    }

    @Test
    void onlyMajorVersion2IsSpoken() {
        Rejected r = rejected(bound(open, user, "3.0", null), 400, "Unknown or unsupported API version",
                "Version \"3.0\" is not supported; this server speaks tailnet API 2.x.");
        validation(r, "version", "unsupported version 3.0");
        assertInstanceOf(Admitted.class, bound(open, user, "2.3", null));
    }

    @Test
    void userAndAgentEndpointsDefaultToVersion2() {
        assertInstanceOf(Admitted.class,
                open.decide(new Admission.Request(Endpoint.USER_CLIENT, user, null, null, null, true)));
        assertInstanceOf(Admitted.class,
                open.decide(new Admission.Request(Endpoint.AGENT, agent, null, null, null, true)));
    }

    @Test
    void anInvalidResumeTokenIsA401WithTheResumeTokenValidation() {
        Rejected r = rejected(bound(open, user, "2.0", "garbage"), 401, "Invalid resume token", "Invalid resume token");
        validation(r, "resume_token", "Invalid resume token");
    }

    @Test
    void aValidResumeTokenKeepsThePeerId() {
        assertEquals(RESUMED, assertInstanceOf(Admitted.class, bound(open, user, "2.0", "good")).peerId());
    }

    @Test
    void agentsIgnoreResumeTokensTheirPeerIdIsTheirOwn() {
        Admitted a = assertInstanceOf(Admitted.class,
                open.decide(new Admission.Request(Endpoint.AGENT, agent, null, "2.0", "garbage", true)));
        assertEquals(agentId, a.peerId());
    }

    @Test
    void withoutAWebSocketUpgradeTheRequestIsRefusedLast() {
        rejected(open.decide(new Admission.Request(Endpoint.BOUND_CLIENT, admin, agentId.toString(), "2.0", null,
                false)), 400, "This endpoint requires a WebSocket upgrade.", null);
        // An earlier rung wins: the token is checked before the upgrade.
        rejected(open.decide(new Admission.Request(Endpoint.BOUND_CLIENT, user, agentId.toString(), "2.0", "garbage",
                false)), 401, "Invalid resume token", "Invalid resume token");
    }

    @Test
    void rungsAreCheckedInOrder() {
        // Unreachable and browser-only and a bad version: reachability answers first.
        rejected(bound(browserOnly, stranger, "9.9", null), 404,
                "Resource not found or you do not have access to this resource", null);
        // Browser-only before the version.
        rejected(bound(browserOnly, user, "9.9", null), 409,
                "Non-browser connections are disabled for your deployment.", null);
    }

    @Test
    void admittedPeersCarryIdentityOwnerAndPolicy() {
        Admitted a = assertInstanceOf(Admitted.class,
                open.decide(new Admission.Request(Endpoint.AGENT, agent, null, "2.0", null, true)));
        assertEquals(new Admitted(agentId, "agent " + agentId, agentId, a.policy()), a);
        assertEquals("agent " + agentId, a.policy().describe());

        Admitted c = assertInstanceOf(Admitted.class, bound(open, user, "2.0", null));
        assertEquals(FRESH, c.peerId());
        assertEquals("client", c.name());
        assertEquals(user.subject(), c.owner());
        assertEquals("client of agent " + agentId, c.policy().describe());

        Admitted u = assertInstanceOf(Admitted.class,
                open.decide(new Admission.Request(Endpoint.USER_CLIENT, admin, null, "2.0", null, true)));
        assertEquals("user " + admin.subject(), u.policy().describe());
        assertEquals("client", u.name());
    }
}
