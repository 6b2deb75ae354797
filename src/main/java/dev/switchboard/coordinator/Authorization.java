package dev.switchboard.coordinator;

import dev.switchboard.coordinator.proto.CoordinateRequest;

/** What one peer may ask for (Coder's `tailnet/tunnel.go`, the CoordinateeAuth implementations). Checked for the whole request before any effect. */
public interface Authorization {
    /**
     * @throws CoordinationException whose message is the detail after {@code authorization: }
     */
    void authorize(CoordinateRequest request) throws CoordinationException;

    /** Whether this is a workspace agent's policy (metrics count agents and clients apart). */
    default boolean isAgent() {
        return false;
    }

    /** Where the peer's policy comes from, for the debug page. */
    String describe();
}
