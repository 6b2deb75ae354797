package dev.switchboard.bench;

import java.util.Arrays;
import java.util.Locale;

/** Percentiles of latency samples in nanoseconds. */
public record LatencyStats(long count, long p50Nanos, long p90Nanos, long p99Nanos, long maxNanos) {
    public static LatencyStats of(long[] samples) {
        if (samples.length == 0) {
            return new LatencyStats(0, 0, 0, 0, 0);
        }
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        return new LatencyStats(sorted.length, at(sorted, 0.50), at(sorted, 0.90), at(sorted, 0.99),
                sorted[sorted.length - 1]);
    }

    private static long at(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)];
    }

    public String human() {
        return String.format(Locale.ROOT, "p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms (%d samples)",
                p50Nanos / 1e6, p90Nanos / 1e6, p99Nanos / 1e6, maxNanos / 1e6, count);
    }
}
