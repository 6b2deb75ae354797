package dev.switchboard.warmup;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * When the JIT has settled under the warm-up's traffic: the compile time HotSpot reports
 * ({@link CompilationMXBean#getTotalCompilationTime}, all compiler threads together) grew by no more than
 * {@link #QUIET_MILLIS} over the last {@link #WINDOW_SAMPLES} samples. Measured under the warm-up's traffic on
 * 2 cores: ~1400 ms of compiling in the first second (both compiler threads busy), 200–500 ms/s at 5–8 s, and
 * 50–200 ms/s at 10–15 s, still C2 compiles of the relay's read path (Netty's {@code epollInReady} among them).
 *
 * <p>Confined to the warm-up's timer (one event loop).
 */
final class JitSettle {
    /** Samples a settled window spans (the warm-up samples every 250 ms: one second). */
    static final int WINDOW_SAMPLES = 4;
    /** Compile time per window that counts as settled: a tenth of one compiler thread. */
    static final long QUIET_MILLIS = 100;

    private final LongSupplier compileMillis;
    private final long[] window = new long[WINDOW_SAMPLES + 1];
    private final long start;
    private int samples;

    JitSettle(LongSupplier compileMillis) {
        this.compileMillis = compileMillis;
        this.start = compileMillis.getAsLong();
        window[0] = start;
    }

    /** The JVM's own counter; null where it keeps none (a native image, which has no JIT to wait for). */
    static JitSettle ofThisJvm() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return null;
        }
        return new JitSettle(jit::getTotalCompilationTime);
    }

    /** Takes a sample; true once a full window has passed with at most {@link #QUIET_MILLIS} of compiling. */
    boolean sample() {
        samples++;
        long now = compileMillis.getAsLong();
        window[samples % window.length] = now;
        if (samples < WINDOW_SAMPLES) {
            return false;
        }
        long windowStart = window[(samples - WINDOW_SAMPLES) % window.length];
        return now - windowStart <= QUIET_MILLIS;
    }

    /** Compile time since this object was made. */
    long compiledMillis() {
        return compileMillis.getAsLong() - start;
    }
}
