package dev.switchboard.diagnostics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.switchboard.derpmap.DerpRegion;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** One region's health (coder/coder codersdk/healthsdk DERPRegionReport). */
@RegisterForReflection
@JsonPropertyOrder({"healthy", "severity", "warnings", "error", "region", "node_reports"})
public record DerpRegionReport(
        @JsonProperty("healthy") boolean healthy,
        @JsonProperty("severity") Severity severity,
        @JsonProperty("warnings") List<HealthMessage> warnings,
        @JsonProperty("error") String error,
        @JsonProperty("region") DerpRegion region,
        @JsonProperty("node_reports") List<DerpNodeReport> nodeReports) {

    static final String MISSING_NODE_REPORT = "Missing node health report, probably a developer error.";

    /**
     * Aggregates node reports as coderd/healthcheck/derphealth/derp.go RegionReport.Run does: a single-node region
     * takes its node's severity; in a larger region exactly one node below ok is warning EDERP02, more than one is
     * unhealthy with the worst node severity. Node warnings are carried up. Node reports are sorted by name.
     */
    static DerpRegionReport of(DerpRegion region, List<DerpNodeReport> nodes) {
        List<DerpNodeReport> sorted = nodes.stream().sorted(Comparator.comparing(n -> n.node().name())).toList();
        List<HealthMessage> warnings = new ArrayList<>();
        sorted.forEach(n -> warnings.addAll(n.warnings()));
        if (sorted.size() != region.nodes().size()) {
            return new DerpRegionReport(false, Severity.ERROR, List.copyOf(warnings), MISSING_NODE_REPORT, region,
                    sorted);
        }
        long notOk = sorted.stream().filter(n -> n.severity() != Severity.OK).count();
        boolean healthy = true;
        Severity severity = Severity.OK;
        if (sorted.size() == 1) {
            severity = sorted.get(0).severity();
            healthy = severity != Severity.ERROR;
        } else if (notOk == 1) {
            severity = Severity.WARNING;
            warnings.add(HealthMessage.ONE_NODE_UNHEALTHY);
        } else if (notOk > 1) {
            healthy = false;
            severity = sorted.stream().map(DerpNodeReport::severity).reduce(Severity.OK, Severity::max);
        }
        return new DerpRegionReport(healthy, severity, List.copyOf(warnings), null, region, sorted);
    }
}
