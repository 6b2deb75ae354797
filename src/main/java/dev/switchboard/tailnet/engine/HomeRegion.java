package dev.switchboard.tailnet.engine;

import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpRegion;
import dev.switchboard.tailnet.netcheck.NetcheckReport;

import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;

/**
 * The home DERP region: by latency once netcheck reports ({@link #afterReport}, sticky), a fallback before that.
 *
 * <p>Without a report Tailscale falls back to a pseudo-random region
 * ({@code magicsock.go pickDERPFallback}). Here the fallback is deterministic — the embedded relay if the map has
 * one, else the lowest region ID — so two peers of one deployment meet on the same relay. {@code Avoid} regions and
 * regions without a relaying node are never chosen.
 */
final class HomeRegion {
    /** {@code netcheck.go preferredDERPAbsoluteDiff} (the Coder fork, current Tailscale): smaller gains keep the home. */
    static final Duration ABSOLUTE_DIFF = Duration.ofMillis(10);

    private HomeRegion() {
    }

    /**
     * The home after a report ({@code net/netcheck/netcheck.go addReportHistoryAndSetPreferredDERP}): the
     * report's fastest home-capable region, unless the current home was measured too and the new one is not markedly
     * better — not under ⅔ of the home's latency, or less than {@link #ABSOLUTE_DIFF} faster — so peers do not chase
     * jitter between relays. A report with no region at all (UDP and HTTPS blocked) keeps the home. Tailscale takes
     * the best latency over 5 minutes of reports; each report here is judged alone.
     */
    static int afterReport(int current, NetcheckReport report) {
        long best = report.preferredDerp();
        if (best == 0 || best == current) {
            return current;
        }
        Long old = report.regionLatency().get((long) current);
        long bestNanos = report.regionLatency().get(best);
        if (current > 0 && old != null && (bestNanos > old / 3 * 2 || old - bestNanos < ABSOLUTE_DIFF.toNanos())) {
            return current;
        }
        return (int) best;
    }

    static Optional<Integer> fallback(DerpMap map) {
        return map.regions().values().stream()
                .filter(r -> !r.avoid() && !r.noMeasureNoHome() && r.nodes().stream().anyMatch(n -> !n.stunOnly()))
                .min(Comparator.comparing((DerpRegion r) -> !r.embeddedRelay()).thenComparingLong(DerpRegion::regionId))
                .map(r -> (int) r.regionId());
    }
}
