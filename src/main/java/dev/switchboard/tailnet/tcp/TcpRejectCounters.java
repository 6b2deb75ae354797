package dev.switchboard.tailnet.tcp;

/**
 * Drop counts per {@link TcpReject} reason, so malformed traffic is visible in metrics without
 * logging attacker-controlled bytes. Owned by one event loop: plain longs, no atomics; a metrics
 * reader on another thread sees eventually-consistent values, which is all a counter needs.
 */
public final class TcpRejectCounters {
    private static final TcpReject[] REASONS = TcpReject.values();
    // owned by the event loop that parses segments
    private final long[] counts = new long[REASONS.length];

    /** Counts {@code reason} when non-null; returns true when the segment is to be dropped. */
    public boolean drop(TcpReject reason) {
        if (reason == null) {
            return false;
        }
        counts[reason.ordinal()]++;
        return true;
    }

    public long count(TcpReject reason) {
        return counts[reason.ordinal()];
    }

    public long total() {
        long sum = 0;
        for (long c : counts) {
            sum += c;
        }
        return sum;
    }
}
