package dev.switchboard.logging;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RateLimitedLogTest {
    private final List<String> lines = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000);
    private final RateLimitedLog log = new RateLimitedLog(lines::add, now::get, Duration.ofSeconds(10), 3,
            "connection errors");

    @Test
    void aFloodLogsTheBurstThenOneSummaryPerInterval() {
        for (int i = 0; i < 1000; i++) {
            log.log("bad connection %d", i);
        }
        assertEquals(List.of("bad connection 0", "bad connection 1", "bad connection 2"), lines);
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        log.log("bad connection %d", 1000);
        assertEquals(List.of("bad connection 0", "bad connection 1", "bad connection 2",
                "997 more connection errors in the last 10 s were not logged (all are counted in metrics)",
                "bad connection 1000"), lines);
    }

    @Test
    void aQuietIntervalLogsNoSummary() {
        log.log("one");
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        log.log("two");
        assertEquals(List.of("one", "two"), lines);
    }
}
