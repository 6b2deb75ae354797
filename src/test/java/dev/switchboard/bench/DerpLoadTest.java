package dev.switchboard.bench;

import dev.switchboard.testing.TestRelay;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load tool's accounting: only the measured window counts, every delivered packet is one latency sample. */
class DerpLoadTest {
    private static final Duration WARMUP = Duration.ofMillis(500);
    private static final Duration WINDOW = Duration.ofSeconds(1);
    /**
     * 2000 packets/s over warm-up and window would count ≈ 3000: below this the warm-up is left out. Paced senders
     * catch up after a scheduling stall, so a loaded machine may put a little over 2000 into the window.
     */
    private static final int WITH_WARMUP = 2600;

    @Test
    void pacedPairsThroughARelayCountTheWindowOnly() throws Exception {
        try (TestRelay relay = TestRelay.start()) {
            URI url = URI.create("http://127.0.0.1:" + relay.port() + "/derp");
            DerpLoad.Result result = new DerpLoad(relay.vertx(),
                    new DerpLoad.Plan(url, false, 2, 200, WARMUP, WINDOW, 1000)).run();
            // 2 pairs × 1000 packets/s for 1 s; the 500 ms of warm-up (≈ 1000 more packets) are left out.
            assertTrue(result.sent() > 1600 && result.sent() < WITH_WARMUP, "sent " + result.sent());
            assertEquals(result.sent(), result.received());
            assertEquals(result.received(), result.latency().count());
            assertTrue(result.latency().p50Nanos() > 0 && result.latency().p50Nanos() <= result.latency().maxNanos());
            assertEquals(0.0, result.lossPercent());
        }
    }

    @Test
    void theSinkSeesEveryPacketOfTheWindow() throws Exception {
        try (TestRelay relay = TestRelay.start(); DerpSink sink = new DerpSink(relay.vertx())) {
            DerpLoad.Result result = new DerpLoad(relay.vertx(),
                    new DerpLoad.Plan(URI.create("http://unused/derp"), false, 1, 64, WARMUP, WINDOW, 2000)).runInto(sink);
            assertTrue(result.sent() > 1600 && result.sent() < WITH_WARMUP, "sent " + result.sent());
            assertEquals(result.sent(), result.received());
            assertEquals(result.received(), result.latency().count());
        }
    }
}
