package dev.switchboard.coordinator.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BackoffTest {
    @Test
    void doublesFromTheInitialDelayUpToTheCap() {
        Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(10), 0, () -> 0.5);
        assertEquals(Duration.ofMillis(50), backoff.delay(1));
        assertEquals(Duration.ofMillis(100), backoff.delay(2));
        assertEquals(Duration.ofMillis(6400), backoff.delay(8));
        assertEquals(Duration.ofSeconds(10), backoff.delay(9));
        assertEquals(Duration.ofSeconds(10), backoff.delay(1_000_000));
    }

    @Test
    void jitterScalesWithinTheConfiguredFraction() {
        assertEquals(Duration.ofMillis(80), new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2, () -> 0)
                .delay(1));
        assertEquals(Duration.ofMillis(120), new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2, () -> 1)
                .delay(1));
    }
}
