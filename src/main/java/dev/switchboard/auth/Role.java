package dev.switchboard.auth;

import java.util.Locale;

/** The {@code role} claim: who a token speaks for. */
public enum Role {
    /** A workspace agent; {@code sub} is the agent ID. */
    AGENT,
    /** A user; may reach the agents in the {@code agents} claim. */
    USER,
    /** An administrator; may reach every agent and the debug pages. */
    ADMIN;

    public String claim() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role fromClaim(String value) {
        for (Role role : values()) {
            if (role.claim().equals(value)) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role \"" + value + "\"");
    }
}
