package dev.switchboard.coordinator.client;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Redial delays: {@code initial · 2^(attempt-1)}, capped at {@code max}, scaled by a random factor in
 * [1 - jitter, 1 + jitter] so that clients dropped together (a server restart) do not redial in lockstep. Coder's
 * client uses 50 ms → 10 s (`tailnet/controllers.go`, cenkalti/backoff).
 */
final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private final double jitter;
    private final DoubleSupplier random;

    Backoff(Duration initial, Duration max, double jitter, DoubleSupplier random) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.jitter = jitter;
        this.random = random;
    }

    /** The delay before dial number {@code attempt} (1 = first redial). */
    Duration delay(int attempt) {
        long base = initialNanos;
        for (int i = 1; i < attempt && base < maxNanos; i++) {
            base = Math.min(maxNanos, base * 2);
        }
        base = Math.min(maxNanos, base);
        double factor = 1 - jitter + 2 * jitter * random.getAsDouble();
        return Duration.ofNanos(Math.max(1_000_000L, (long) (base * factor)));
    }
}
