package dev.switchboard.diagnostics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.switchboard.derpmap.DerpNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One node's health (coder/coder codersdk/healthsdk DERPNodeReport, filled as coderd/healthcheck/derphealth/derp.go
 * NodeReport.Run does). {@code client_logs} and {@code client_errs} hold one list per DERP client: receiver, sender.
 */
@RegisterForReflection
@JsonPropertyOrder({"healthy", "severity", "warnings", "error", "node", "node_info", "can_exchange_messages",
        "round_trip_ping", "round_trip_ping_ms", "uses_websocket", "client_logs", "client_errs", "stun"})
public record DerpNodeReport(
        @JsonProperty("healthy") boolean healthy,
        @JsonProperty("severity") Severity severity,
        @JsonProperty("warnings") List<HealthMessage> warnings,
        @JsonProperty("error") String error,
        @JsonProperty("node") DerpNode node,
        @JsonProperty("node_info") NodeInfo nodeInfo,
        @JsonProperty("can_exchange_messages") boolean canExchangeMessages,
        @JsonProperty("round_trip_ping") String roundTripPing,
        @JsonProperty("round_trip_ping_ms") long roundTripPingMs,
        @JsonProperty("uses_websocket") boolean usesWebsocket,
        @JsonProperty("client_logs") List<List<String>> clientLogs,
        @JsonProperty("client_errs") List<List<String>> clientErrs,
        @JsonProperty("stun") StunReport stun) {

    /** The DERP ServerInfo the node sent (Tailscale's derp.ServerInfoMessage, Go field names). */
    @RegisterForReflection
    @JsonPropertyOrder({"TokenBucketBytesPerSecond", "TokenBucketBytesBurst"})
    public record NodeInfo(@JsonProperty("TokenBucketBytesPerSecond") long tokenBucketBytesPerSecond,
                           @JsonProperty("TokenBucketBytesBurst") long tokenBucketBytesBurst) {
        static final NodeInfo NONE = new NodeInfo(0, 0);
    }

    /**
     * What the message exchange found; {@code roundTrip} is null unless a packet made it through.
     *
     * @param fellBackToWebsocket the {@code Upgrade: DERP} request was refused and WebSocket worked instead
     * @param usesWebsocket       the exchange ran over WebSocket (fallback or derp_force_websockets)
     */
    public record Exchange(NodeInfo nodeInfo, Duration roundTrip, boolean usesWebsocket, boolean fellBackToWebsocket,
                           List<List<String>> clientLogs, List<List<String>> clientErrs) {
        static Exchange notAttempted() {
            return new Exchange(NodeInfo.NONE, null, false, false, List.of(), List.of());
        }
    }

    /**
     * Severity as Coder assigns it: error when a relay node cannot exchange messages or an enabled STUN check
     * failed; a WebSocket fallback is warning EDERP01. Unlike Coder, the warning never lowers an error.
     */
    static DerpNodeReport of(DerpNode node, Exchange exchange, StunReport stun) {
        boolean exchanged = exchange.roundTrip() != null;
        List<HealthMessage> warnings = new ArrayList<>();
        Severity severity = Severity.OK;
        if (exchange.fellBackToWebsocket()) {
            warnings.add(HealthMessage.NODE_USES_WEBSOCKET);
            severity = Severity.WARNING;
        }
        String error = null;
        if (!node.stunOnly() && !exchanged) {
            error = "can't exchange messages through node " + node.name() + lastError(exchange.clientErrs());
        } else if (stun.error() != null) {
            error = "STUN test failed: " + stun.error();
        }
        if (error != null) {
            severity = Severity.ERROR;
        }
        return new DerpNodeReport(severity != Severity.ERROR, severity, List.copyOf(warnings), error, node,
                exchange.nodeInfo(), exchanged, exchanged ? GoDuration.format(exchange.roundTrip()) : "",
                exchanged ? exchange.roundTrip().toMillis() : 0, exchange.usesWebsocket(), exchange.clientLogs(),
                exchange.clientErrs(), stun);
    }

    private static String lastError(List<List<String>> clientErrs) {
        for (int i = clientErrs.size() - 1; i >= 0; i--) {
            List<String> errs = clientErrs.get(i);
            if (!errs.isEmpty()) {
                return ": " + errs.get(errs.size() - 1);
            }
        }
        return "";
    }
}
