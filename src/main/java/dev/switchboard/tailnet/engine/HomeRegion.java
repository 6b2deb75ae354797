package dev.switchboard.tailnet.engine;

import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpRegion;

import java.util.Comparator;
import java.util.Optional;

/**
 * The home DERP region before any latency is known. Netcheck picks by latency ({@code net/netcheck/netcheck.go
 * addReportHistoryAndSetPreferredDERP}); without a report Tailscale falls back to a pseudo-random region
 * ({@code magicsock.go pickDERPFallback}). Here the fallback is deterministic — the embedded relay if the map has
 * one, else the lowest region ID — so two peers of one deployment meet on the same relay. {@code Avoid} regions and
 * regions without a relaying node are never chosen.
 */
final class HomeRegion {
    private HomeRegion() {
    }

    static Optional<Integer> fallback(DerpMap map) {
        return map.regions().values().stream()
                .filter(r -> !r.avoid() && !r.noMeasureNoHome() && r.nodes().stream().anyMatch(n -> !n.stunOnly()))
                .min(Comparator.comparing((DerpRegion r) -> !r.embeddedRelay()).thenComparingLong(DerpRegion::regionId))
                .map(r -> (int) r.regionId());
    }
}
