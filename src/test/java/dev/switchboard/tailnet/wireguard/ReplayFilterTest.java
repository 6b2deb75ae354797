package dev.switchboard.tailnet.wireguard;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** A port of wireguard-go {@code replay/replay_test.go TestReplay}, plus the pre-check used before the AEAD. */
class ReplayFilterTest {
    private static final long REJECT = WireGuardConstants.REJECT_AFTER_MESSAGES;
    private static final long T_LIM = ReplayFilter.WINDOW_SIZE + 1;
    private final ReplayFilter filter = new ReplayFilter();
    private int testNumber;

    private void t(long n, boolean expected) {
        testNumber++;
        assertEquals(expected, filter.mightAccept(n, REJECT), "pre-check, test " + testNumber);
        assertEquals(expected, filter.validateCounter(n, REJECT), "test " + testNumber + " counter " + n);
    }

    @Test
    void upstreamSequence() {
        assertEquals(8128, ReplayFilter.WINDOW_SIZE);
        assertEquals("18446744073709543423", Long.toUnsignedString(REJECT)); // 2^64 - 2^13 - 1
        filter.reset();
        t(0, true);
        t(1, true);
        t(1, false);
        t(9, true);
        t(8, true);
        t(7, true);
        t(7, false);
        t(T_LIM, true);
        t(T_LIM - 1, true);
        t(T_LIM - 1, false);
        t(T_LIM - 2, true);
        t(2, true);
        t(2, false);
        t(T_LIM + 16, true);
        t(3, false);
        t(T_LIM + 16, false);
        t(T_LIM * 4, true);
        t(T_LIM * 4 - (T_LIM - 1), true);
        t(10, false);
        t(T_LIM * 4 - T_LIM, false);
        t(T_LIM * 4 - (T_LIM + 1), false);
        t(T_LIM * 4 - (T_LIM - 2), true);
        t(T_LIM * 4 + 1 - T_LIM, false);
        t(0, false);
        t(REJECT, false);
        t(REJECT - 1, true);
        t(REJECT, false);
        t(REJECT - 1, false);
        t(REJECT - 2, true);
        t(REJECT + 1, false);
        t(REJECT + 2, false);
        t(REJECT - 2, false);
        t(REJECT - 3, true);
        t(0, false);
    }

    @Test
    void upstreamBulk() {
        long w = ReplayFilter.WINDOW_SIZE;
        filter.reset();
        for (long i = 1; i <= w; i++) {
            t(i, true);
        }
        t(0, true);
        t(0, false);

        filter.reset();
        for (long i = 2; i <= w + 1; i++) {
            t(i, true);
        }
        t(1, true);
        t(0, false);

        filter.reset();
        for (long i = w + 1; i > 0; i--) {
            t(i, true);
        }

        filter.reset();
        for (long i = w + 2; i > 1; i--) {
            t(i, true);
        }
        t(0, false);

        filter.reset();
        for (long i = w; i > 0; i--) {
            t(i, true);
        }
        t(w + 1, true);
        t(0, false);

        filter.reset();
        for (long i = w; i > 0; i--) {
            t(i, true);
        }
        t(0, true);
        t(w + 1, true);
    }

    @Test
    void preCheckAgreesWithValidateOnRandomTraffic() {
        SplittableRandom random = new SplittableRandom(42);
        long base = 0;
        for (int i = 0; i < 200_000; i++) {
            base += random.nextInt(3);
            long c = Math.max(0, base + random.nextInt(-9000, 200));
            boolean pre = filter.mightAccept(c, REJECT);
            assertEquals(pre, filter.validateCounter(c, REJECT), "counter " + c);
        }
    }
}
