package dev.switchboard.logging;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A log line per event, but at most {@code burst} per {@code interval}: an attacker opening bad connections cannot
 * fill the disk, while an operator still sees samples and, once per interval, how many were left out. Every event
 * is counted in metrics by the caller; this only bounds the text. Called from any event loop; guarded by this.
 */
public final class RateLimitedLog {
    private final Consumer<String> sink;
    private final LongSupplier nanoClock;
    private final long intervalNanos;
    private final int burst;
    private final String what;

    // guarded by this
    private long windowStart;
    private int logged;
    private long suppressed;

    /**
     * @param what the events' name in the summary line, e.g. {@code "DERP connection errors"}
     */
    public RateLimitedLog(Consumer<String> sink, LongSupplier nanoClock, java.time.Duration interval, int burst,
                          String what) {
        this.sink = sink;
        this.nanoClock = nanoClock;
        this.intervalNanos = interval.toNanos();
        this.burst = burst;
        this.what = what;
        this.windowStart = nanoClock.getAsLong();
    }

    /** Logs {@code String.format(format, args)} unless this interval's budget is spent; formats only what it logs. */
    public void log(String format, Object... args) {
        String summary = null;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (now - windowStart >= intervalNanos) {
                if (suppressed > 0) {
                    summary = suppressed + " more " + what + " in the last " + (now - windowStart) / 1_000_000_000L
                            + " s were not logged (all are counted in metrics)";
                }
                windowStart = now;
                logged = 0;
                suppressed = 0;
            }
            if (logged >= burst) {
                suppressed++;
                return;
            }
            logged++;
        }
        if (summary != null) {
            sink.accept(summary);
        }
        sink.accept(String.format(format, args));
    }
}
