package dev.switchboard.diagnostics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A node's STUN check; capitalised keys, as Coder's healthsdk.STUNReport has no JSON tags. */
@RegisterForReflection
@JsonPropertyOrder({"Enabled", "CanSTUN", "Error"})
public record StunReport(@JsonProperty("Enabled") boolean enabled, @JsonProperty("CanSTUN") boolean canStun,
                         @JsonProperty("Error") String error) {
    static final StunReport DISABLED = new StunReport(false, false, null);

    static StunReport answered() {
        return new StunReport(true, true, null);
    }

    static StunReport failed(String error) {
        return new StunReport(true, false, error);
    }
}
