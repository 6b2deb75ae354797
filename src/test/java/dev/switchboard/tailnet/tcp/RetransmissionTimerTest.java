package dev.switchboard.tailnet.tcp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetransmissionTimerTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1000 * MS;

    @Test
    void firstSampleSetsSrttAndHalfVariance() {
        RetransmissionTimer t = new RetransmissionTimer(RetransmissionTimer.Config.linux());
        assertEquals(1 * S, t.rtoNanos()); // §2.1 before any sample
        t.sample(100 * MS);
        assertEquals(100 * MS, t.srttNanos());
        assertEquals(50 * MS, t.rttvarNanos());
        assertEquals(300 * MS, t.rtoNanos()); // SRTT + 4 * RTTVAR
    }

    @Test
    void laterSamplesUseAlphaEighthBetaQuarterInOrder() {
        RetransmissionTimer t = new RetransmissionTimer(RetransmissionTimer.Config.linux());
        t.sample(100 * MS);
        t.sample(200 * MS);
        // RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5
        assertEquals(62_500_000L, t.rttvarNanos());
        assertEquals(112_500_000L, t.srttNanos());
        assertEquals(362_500_000L, t.rtoNanos());
    }

    @Test
    void rfcMinimumOfOneSecondAndConfigurableFloor() {
        RetransmissionTimer rfc = new RetransmissionTimer(RetransmissionTimer.Config.rfc6298());
        rfc.sample(10 * MS);
        assertEquals(1 * S, rfc.rtoNanos()); // §2.4 rounds 30 ms up to 1 s
        RetransmissionTimer linux = new RetransmissionTimer(RetransmissionTimer.Config.linux());
        linux.sample(10 * MS);
        assertEquals(200 * MS, linux.rtoNanos());
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionTimer.Config(2 * S, S, S, MS));
    }

    @Test
    void steadyRttConvergesToSrttPlusGranularity() {
        RetransmissionTimer t = new RetransmissionTimer(new RetransmissionTimer.Config(MS, 60 * S, S, 5 * MS));
        for (int i = 0; i < 200; i++) {
            t.sample(40 * MS);
        }
        assertEquals(40 * MS, t.srttNanos());
        assertEquals(45 * MS, t.rtoNanos()); // 4 * RTTVAR fell below G (§2.3 max(G, K*RTTVAR))
    }

    @Test
    void backoffDoublesUpToTheMaximumAndASampleClearsIt() {
        RetransmissionTimer t = new RetransmissionTimer(RetransmissionTimer.Config.rfc6298());
        long now = 0;
        t.arm(now);
        long[] expected = {2, 4, 8, 16, 32, 60, 60};
        for (long e : expected) {
            now = t.deadlineNanos();
            assertTrue(t.expired(now));
            t.onTimeout(now);
            assertEquals(e * S, t.rtoNanos());
            assertEquals(now + e * S, t.deadlineNanos());
        }
        assertEquals(7, t.backoffs());
        t.sample(100 * MS);
        assertEquals(0, t.backoffs());
        assertEquals(1 * S, t.rtoNanos());
    }

    @Test
    void karnsRuleIgnoresTheAckOfARetransmittedSegment() {
        RetransmissionTimer t = new RetransmissionTimer(RetransmissionTimer.Config.linux());
        t.startTiming(1000, 0);
        t.onTimeout(1 * S);     // the segment is retransmitted
        t.onRetransmit();
        t.onAck(1000, 1100 * MS); // ambiguous: first copy after 1.1 s or the retransmission after 0.1 s?
        assertFalse(t.hasSample());
        assertEquals(2 * S, t.rtoNanos()); // back-off kept until a valid sample (§5 and Karn)

        t.startTiming(2000, 2 * S); // new data, sent once
        t.onAck(1999, 2050 * MS);   // does not cover it yet
        assertFalse(t.hasSample());
        t.onAck(2000, 2080 * MS);
        assertTrue(t.hasSample());
        assertEquals(80 * MS, t.srttNanos());
        assertEquals(240 * MS, t.rtoNanos());
    }

    @Test
    void onlyOneSegmentIsTimedPerRoundTrip() {
        RetransmissionTimer t = new RetransmissionTimer(RetransmissionTimer.Config.linux());
        t.startTiming(100, 0);
        t.startTiming(200, 50 * MS); // ignored: 100 is still being timed
        t.onAck(200, 120 * MS);
        assertEquals(120 * MS, t.srttNanos());
    }

    @Test
    void timingAcrossSequenceWrap() {
        RetransmissionTimer t = new RetransmissionTimer(RetransmissionTimer.Config.linux());
        t.startTiming(5, 0); // segment spanning 0xfffffff0..5
        t.onAck(0xfffffff0, 10 * MS);
        assertFalse(t.hasSample());
        t.onAck(5, 20 * MS);
        assertEquals(20 * MS, t.srttNanos());
    }

    @Test
    void armStopAndRestartFollowSection5() {
        RetransmissionTimer t = new RetransmissionTimer(RetransmissionTimer.Config.linux());
        t.armIfIdle(0);
        t.armIfIdle(500 * MS); // §5.1: already running, not pushed back
        assertEquals(1 * S, t.deadlineNanos());
        assertFalse(t.expired(999 * MS));
        assertTrue(t.expired(1 * S));
        t.arm(600 * MS); // §5.3 restart on new ACK
        assertEquals(1600 * MS, t.deadlineNanos());
        t.stop(); // §5.2
        assertFalse(t.expired(10 * S));
    }

    @Test
    void rtoIsThreeSecondsAfterARetransmittedSyn() {
        RetransmissionTimer t = new RetransmissionTimer(RetransmissionTimer.Config.linux());
        t.arm(0);
        t.onTimeout(1 * S); // SYN retransmitted, RTO 2 s
        t.onHandshakeComplete(true);
        assertEquals(3 * S, t.rtoNanos());
        RetransmissionTimer clean = new RetransmissionTimer(RetransmissionTimer.Config.linux());
        clean.onHandshakeComplete(false);
        assertEquals(1 * S, clean.rtoNanos());
    }
}
