package dev.switchboard.ha;

import java.time.Duration;

/**
 * Timings of the cross-replica coordinator. The defaults are pgcoord's ({@code enterprise/tailnet/pgcoord.go}): a
 * heartbeat every 2 s, another coordinator expired after 3 missed beats (its peers LOST), unhealthy after 3 failed
 * heartbeat writes, cleanup every hour of rows older than 24 h; plus a full re-read every 30 s (as Coder's newest
 * code re-evaluates mappings) that catches notifications lost while LISTEN reconnected. Tests pass shorter ones.
 */
public record CoordinatorTimings(Duration heartbeat, int missedBeats, int failuresBeforeUnhealthy, Duration resync,
                                 Duration cleanupInterval, Duration retention) {
    public static final CoordinatorTimings CODER = new CoordinatorTimings(Duration.ofSeconds(2), 3, 3,
            Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofHours(24));

    public CoordinatorTimings {
        if (heartbeat.isNegative() || heartbeat.isZero() || missedBeats < 1 || failuresBeforeUnhealthy < 1
                || resync.isNegative() || resync.isZero() || cleanupInterval.isNegative() || cleanupInterval.isZero()) {
            throw new IllegalArgumentException("heartbeat, resync and cleanup > 0, missed beats and failures >= 1");
        }
    }

    /** How long a coordinator may go without a beat before the others treat its peers as LOST. */
    public Duration expiry() {
        return heartbeat.multipliedBy(missedBeats);
    }
}
