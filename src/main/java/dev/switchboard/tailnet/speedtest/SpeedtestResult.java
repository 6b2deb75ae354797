package dev.switchboard.tailnet.speedtest;

/**
 * One measured stretch of a speed test (Tailscale {@code net/speedtest/speedtest.go} {@code Result}): the bytes moved
 * between two {@link System#nanoTime} instants; {@code total} marks the whole test.
 */
public record SpeedtestResult(long startNanos, long endNanos, long bytes, boolean total) {
    public double seconds() {
        return (endNanos - startNanos) / 1e9;
    }

    /** Megabits moved, 10⁶ bits as Tailscale's {@code MegaBits}. */
    public double megabits() {
        return bytes * 8 / 1e6;
    }

    public double mbitsPerSecond() {
        return megabits() / seconds();
    }
}
