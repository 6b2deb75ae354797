package dev.switchboard.tailnet.netcheck;

import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpNode;
import dev.switchboard.derpmap.DerpRegion;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which STUN probes a full report sends (Tailscale's makeProbePlanInitial, net/netcheck/netcheck.go v1.36.2): per
 * region and family three tries, 100 ms apart, cycling through the region's STUN-capable nodes. A set of probes is
 * done as soon as one of them is answered. Nodes with STUNPort -1 are left out (Tailscale gives up on them when
 * resolving the address); STUN-only nodes take part like any other. Pure.
 */
public final class ProbePlan {
    static final int TRIES = 3;
    static final Duration INITIAL_RETRANSMIT = Duration.ofMillis(100);

    /** One request to send {@code delay} after the report starts. */
    public record Probe(Duration delay, DerpRegion region, DerpNode node, IpFamily family) {
    }

    private ProbePlan() {
    }

    /** Probe sets keyed {@code region-<id>-v4} / {@code -v6}, in region order; families the caller cannot use are left out. */
    public static Map<String, List<Probe>> initial(DerpMap map, Set<IpFamily> families) {
        Map<String, List<Probe>> plan = new LinkedHashMap<>();
        for (DerpRegion region : map.regions().values()) {
            List<DerpNode> nodes = region.nodes().stream().filter(n -> n.stunPort() >= 0).toList();
            if (nodes.isEmpty()) {
                continue;
            }
            for (IpFamily family : IpFamily.values()) {
                if (!families.contains(family)) {
                    continue;
                }
                List<Probe> probes = new ArrayList<>();
                for (int attempt = 0; attempt < TRIES; attempt++) {
                    DerpNode node = nodes.get(attempt % nodes.size());
                    if (NodeAddresses.might(node, family)) {
                        probes.add(new Probe(INITIAL_RETRANSMIT.multipliedBy(attempt), region, node, family));
                    }
                }
                if (!probes.isEmpty()) {
                    plan.put("region-" + region.regionId() + "-" + family.name().toLowerCase(java.util.Locale.ROOT), probes);
                }
            }
        }
        return plan;
    }
}
