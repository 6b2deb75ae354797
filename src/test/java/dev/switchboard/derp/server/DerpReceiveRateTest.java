package dev.switchboard.derp.server;

import dev.switchboard.testing.TestClient;
import dev.switchboard.testing.TestRelay;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A per-client receive rate slows a fast sender down by not reading it, and loses nothing. */
class DerpReceiveRateTest {
    @Test
    void aSenderOverItsRateIsSlowedNotDropped() {
        DerpServerOptions limited = DerpServerOptions.defaults()
                .withReceiveRate(new ReceiveRate(1_000_000, 64 * 1024));
        try (TestRelay relay = TestRelay.start(limited); TestClient a = relay.connect(); TestClient b = relay.connect()) {
            int count = 2500; // ≈ 3 MB of frames: ≈ 2.9 s at 1 MB/s after the 64 KiB burst
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                a.client().send(b.key(), Buffer.buffer(1200).appendInt(i).appendBytes(new byte[1196]));
            }
            for (int i = 0; i < count; i++) {
                assertEquals(i, b.nextPacket().data().getInt(0));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds >= 2.0, "3 MB crossed a 1 MB/s limit in " + seconds + " s");
            for (DropReason reason : DropReason.values()) {
                assertEquals(0, relay.server().metrics().drops(reason, false), reason.label());
            }
        }
    }
}
