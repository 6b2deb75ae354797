package dev.switchboard.diagnostics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.tailnet.netcheck.NetcheckReport;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** The DERP section of Coder's health report (coder/coder codersdk/healthsdk DERPHealthReport). */
@RegisterForReflection
@JsonPropertyOrder({"healthy", "severity", "warnings", "dismissed", "error", "regions", "netcheck", "netcheck_err",
        "netcheck_logs"})
public record DerpHealthReport(
        @JsonProperty("healthy") boolean healthy,
        @JsonProperty("severity") Severity severity,
        @JsonProperty("warnings") List<HealthMessage> warnings,
        @JsonProperty("dismissed") boolean dismissed,
        @JsonProperty("error") String error,
        @JsonProperty("regions") SortedMap<Long, DerpRegionReport> regions,
        @JsonProperty("netcheck") NetcheckReport netcheck,
        @JsonProperty("netcheck_err") String netcheckErr,
        @JsonProperty("netcheck_logs") List<String> netcheckLogs) {

    /**
     * Aggregates as coderd/healthcheck/derphealth/derp.go Report.Run does: the worst region severity, region
     * warnings carried up, ESTUN02 when the netcheck saw the mapping vary, ESTUN01 when nodes have STUN enabled but
     * none answered; and EDERP03, an error, when the map has no DERP node at all.
     */
    static DerpHealthReport of(DerpMap map, Collection<DerpRegionReport> regionReports, NetcheckReport netcheck,
                               String netcheckErr, List<String> netcheckLogs) {
        SortedMap<Long, DerpRegionReport> regions = new TreeMap<>(Comparator.comparing(String::valueOf));
        regionReports.forEach(r -> regions.put(r.region().regionId(), r));
        List<HealthMessage> warnings = new ArrayList<>();
        boolean healthy = true;
        Severity severity = Severity.OK;
        for (DerpRegionReport region : regions.values()) {
            healthy &= region.healthy();
            warnings.addAll(region.warnings());
            severity = severity.max(region.severity());
        }
        if (netcheck != null && Boolean.TRUE.equals(netcheck.mappingVariesByDestIp())) {
            warnings.add(HealthMessage.STUN_MAPPING_VARIES);
            severity = severity.max(Severity.WARNING);
        }
        List<StunReport> stun = regions.values().stream().flatMap(r -> r.nodeReports().stream())
                .map(DerpNodeReport::stun).toList();
        if (stun.stream().anyMatch(StunReport::enabled) && stun.stream().noneMatch(StunReport::canStun)) {
            warnings.add(HealthMessage.NO_STUN);
            severity = severity.max(Severity.WARNING);
        }
        String error = null;
        if (map.derpNodes().isEmpty()) {
            warnings.add(HealthMessage.NO_DERP_NODES);
            error = HealthMessage.NO_DERP_NODES.message();
            severity = Severity.ERROR;
            healthy = false;
        }
        return new DerpHealthReport(healthy, severity, List.copyOf(warnings), false, error, regions, netcheck,
                netcheckErr, List.copyOf(netcheckLogs));
    }
}
