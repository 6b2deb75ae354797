package dev.switchboard.diagnostics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A coded warning, {@code {"code":…,"message":…}} (coder/coder coderd/healthcheck/health/model.go Message). */
@RegisterForReflection
@JsonPropertyOrder({"code", "message"})
public record HealthMessage(@JsonProperty("code") String code, @JsonProperty("message") String message) {
    // Texts as Coder's coderd/healthcheck/derphealth/derp.go writes them.
    static final HealthMessage NODE_USES_WEBSOCKET = new HealthMessage("EDERP01",
            "Node uses WebSockets because the \"Upgrade: DERP\" header may be blocked on the load balancer.");
    static final HealthMessage ONE_NODE_UNHEALTHY = new HealthMessage("EDERP02",
            "Region is operational, but performance might be degraded as one node is unhealthy.");
    static final HealthMessage NO_DERP_NODES = new HealthMessage("EDERP03",
            "No DERP servers are available; the DERP map has no DERP nodes.");
    static final HealthMessage NO_STUN = new HealthMessage("ESTUN01", "No STUN servers are available.");
    static final HealthMessage STUN_MAPPING_VARIES = new HealthMessage("ESTUN02",
            "STUN returned different addresses; you may be behind a hard NAT.");

    /** coder/coder cli/netcheck.go via healthsdk: an interface whose MTU is below the safe WireGuard MTU. */
    static HealthMessage lowMtu(String name, int mtu, int safe) {
        return new HealthMessage("EIF01", String.format("Network interface %s has MTU %d (less than %d), which may "
                + "degrade the quality of direct connections or render them unusable.", name, mtu, safe));
    }
}
