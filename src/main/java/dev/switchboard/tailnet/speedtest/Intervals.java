package dev.switchboard.tailnet.speedtest;

import java.util.ArrayList;
import java.util.List;

/**
 * The bookkeeping of Tailscale's {@code doTest}: a result each time at least a second has passed since the last one,
 * a final partial one if longer than 10 ms, and the total if the test lasted longer than 10 ms. Time is that of the
 * last read or write, as there.
 */
final class Intervals {
    /** {@code increment}: one second per row. */
    static final long INCREMENT_NANOS = 1_000_000_000L;
    /** {@code minInterval}: shorter stretches are not reported. */
    static final long MIN_INTERVAL_NANOS = 10_000_000L;

    private final List<SpeedtestResult> results = new ArrayList<>();
    private final long start;
    private long last;
    private long now;
    private long intervalBytes;
    private long totalBytes;

    Intervals(long startNanos) {
        this.start = startNanos;
        this.last = startNanos;
        this.now = startNanos;
    }

    void add(long bytes, long atNanos) {
        intervalBytes += bytes;
        now = atNanos;
        if (now - last >= INCREMENT_NANOS) {
            results.add(new SpeedtestResult(last, now, intervalBytes, false));
            last = now;
            totalBytes += intervalBytes;
            intervalBytes = 0;
        }
    }

    long elapsedNanos() {
        return now - start;
    }

    List<SpeedtestResult> finish() {
        if (now - last > MIN_INTERVAL_NANOS) {
            results.add(new SpeedtestResult(last, now, intervalBytes, false));
        }
        totalBytes += intervalBytes;
        if (now - start > MIN_INTERVAL_NANOS) {
            results.add(new SpeedtestResult(start, now, totalBytes, true));
        }
        return List.copyOf(results);
    }
}
