package dev.switchboard.derp.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReceiveRateTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void theBurstPassesThenTheDebtIsPaidAtTheRate() {
        ReceiveRate rate = new ReceiveRate(1000, 500);
        ReceiveRate.Bucket bucket = rate.bucket(0);
        assertEquals(0, bucket.take(500, 0), "the burst is free");
        assertEquals(SECOND / 2, bucket.take(500, 0), "500 bytes of debt at 1000 B/s");
        assertEquals(0, bucket.take(0, SECOND / 2), "repaid after the pause");
        assertEquals(0, bucket.take(400, SECOND), "refilled 500 in the next half second");
    }

    @Test
    void unlimitedIsOffAndNegativeIsRefused() {
        assertFalse(ReceiveRate.UNLIMITED.limited());
        assertTrue(new ReceiveRate(1, 0).limited());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new ReceiveRate(-1, 0));
    }
}
