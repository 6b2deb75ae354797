package dev.switchboard.auth;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * A verified bearer token.
 *
 * @param subject the agent or user UUID ({@code sub})
 * @param agents  agents a user may reach ({@code agents}); ignored for admins and agents
 */
public record Principal(UUID subject, Role role, Set<UUID> agents, Instant expiresAt) {
    /** Whether this principal may open a tunnel to (or coordinate as a client of) {@code agent}. */
    public boolean mayReach(UUID agent) {
        return role == Role.ADMIN || role == Role.USER && agents.contains(agent);
    }

    /** The agents this principal may reach; null means all (admins). */
    public Set<UUID> reachableAgents() {
        return role == Role.ADMIN ? null : role == Role.USER ? agents : Set.of();
    }
}
