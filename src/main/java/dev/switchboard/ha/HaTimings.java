package dev.switchboard.ha;

import java.time.Duration;

/**
 * Replica registry timings. The defaults are Coder's ({@code enterprise/replicasync/replicasync.go}): update every
 * 5 s, a replica is alive when updated within 3 × 5 s, stale rows removed every 30 min. Tests pass shorter ones.
 *
 * @param failuresBeforeDown consecutive failed heartbeats after which readiness check {@code database} is DOWN
 *                           (the rule pgcoord applies to its coordinator heartbeats, {@code enterprise/tailnet/pgcoord.go})
 */
public record HaTimings(Duration heartbeat, Duration aliveWindow, int failuresBeforeDown, Duration cleanupInterval) {
    public static final HaTimings CODER = new HaTimings(Duration.ofSeconds(5), Duration.ofSeconds(15), 3,
            Duration.ofMinutes(30));

    public HaTimings {
        if (heartbeat.isNegative() || heartbeat.isZero() || aliveWindow.compareTo(heartbeat) <= 0
                || failuresBeforeDown < 1) {
            throw new IllegalArgumentException("heartbeat > 0, alive window > heartbeat, failures >= 1");
        }
    }
}
