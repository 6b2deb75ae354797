package dev.switchboard.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a load run counts: packets sent inside the measured window and those of them that arrived, with their
 * one-way delays. A packet belongs to the window by the send time it carries, so packets sent during warm-up (while
 * both JVMs still compile the hot path) are neither sent nor delivered as far as the figures go, even if they land
 * after the window opened.
 */
final class Tally {
    private static final int MAX_SAMPLES = 2_000_000;

    private final long fromNanos;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    /** One-way delays in arrival order; the first {@code received} slots (up to the capacity) are filled. */
    private final AtomicLongArray samples = new AtomicLongArray(MAX_SAMPLES);

    Tally(long fromNanos) {
        this.fromNanos = fromNanos;
    }

    long fromNanos() {
        return fromNanos;
    }

    void sent(long sentNanos) {
        if (sentNanos >= fromNanos) {
            sent.incrementAndGet();
        }
    }

    void arrived(long sentNanos, long nowNanos) {
        if (sentNanos < fromNanos) {
            return;
        }
        long index = received.getAndIncrement();
        if (index < MAX_SAMPLES) {
            samples.set((int) index, nowNanos - sentNanos);
        }
    }

    long sent() {
        return sent.get();
    }

    long received() {
        return received.get();
    }

    LatencyStats latency() {
        long[] collected = new long[(int) Math.min(received.get(), MAX_SAMPLES)];
        for (int i = 0; i < collected.length; i++) {
            collected[i] = samples.get(i);
        }
        return LatencyStats.of(collected);
    }
}
