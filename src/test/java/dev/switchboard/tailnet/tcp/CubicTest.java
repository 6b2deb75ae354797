package dev.switchboard.tailnet.tcp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CubicTest {
    private static final int MSS = 1220;
    private static final long MS = 1_000_000L;

    /** Slow-starts to {@code segments}, then loses one segment: fast retransmit and recovery. */
    private static Cubic afterLossAt(int segments, Cubic cc) {
        int ack = 0;
        while (cc.cwnd() < segments * MSS) {
            cc.onAck(ack += MSS, MSS, 0, 0, 0);
        }
        for (int i = 0; i < 3; i++) {
            cc.onDuplicateAck(ack, segments * MSS, ack + segments * MSS, 0);
        }
        cc.onAck(ack + segments * MSS, segments * MSS, segments * MSS, 0, 0); // full ACK
        return cc;
    }

    @Test
    void lossReducesByBetaAndSetsWmaxAndK() {
        Cubic cc = afterLossAt(100, new Cubic(MSS));
        assertEquals(70 * MSS, cc.ssthresh()); // β_cubic = 0.7 (RFC 9438 §4.6)
        assertEquals(70 * MSS, cc.cwnd());
        assertEquals(100.0, cc.wMax(), 1e-9);
        cc.onAck(1, MSS, 70 * MSS, 0, 100 * MS); // first ACK in avoidance starts the epoch
        // K = cbrt((W_max − cwnd_epoch) / C) = cbrt(30 / 0.4) = cbrt(75) (RFC 9438 §4.2 eq. 2)
        assertEquals(Math.cbrt(75), cc.k(), 1e-6);
    }

    @Test
    void growthIsConcaveUpToWmaxThenConvexAndTracksTheCubic() {
        // W_max = 1000 segments at a 100 ms RTT: K ≈ 9.1 s, long enough for the cubic to stay
        // above the Reno-friendly estimate (which would take over at smaller windows, §4.3)
        Cubic cc = afterLossAt(1000, new Cubic(MSS));
        long rtt = 100 * MS;
        long now = 0;
        double k = Math.cbrt(750);
        double[] perRtt = new double[150];
        for (int r = 0; r < perRtt.length; r++) {
            // one window of ACKs spread evenly across the round trip, as an ACK clock would
            int segments = cc.cwnd() / MSS;
            for (int i = 0; i < segments; i++) {
                cc.onAck(1, MSS, cc.cwnd(), now + rtt * i / segments, rtt);
            }
            now += rtt;
            perRtt[r] = (double) cc.cwnd() / MSS;
            double t = now / 1e9;
            // cwnd aims one RTT ahead (§4.2), so it lies between W_cubic(t) and W_cubic(t + RTT)
            double low = 0.4 * Math.pow(t - k, 3) + 1000;
            double high = 0.4 * Math.pow(t + 0.1 - k, 3) + 1000;
            assertTrue(perRtt[r] > low - 2 && perRtt[r] < high + 2, "t=" + t + " cwnd=" + perRtt[r]);
        }
        int kRtt = (int) (k * 10); // RTTs until K
        assertEquals(1000, perRtt[kRtt], 2.0); // plateau at W_max around t = K
        // concave before K: the per-RTT gain shrinks; convex after: it grows
        assertTrue(perRtt[10] - perRtt[9] > perRtt[80] - perRtt[79], "concave");
        assertTrue(perRtt[140] - perRtt[139] > perRtt[110] - perRtt[109], "convex");
        assertTrue(perRtt[kRtt + 1] - perRtt[kRtt] < 1.0, "flat near W_max");
    }

    @Test
    void fastConvergenceLowersWmaxWhenLossComesBeforeThePreviousOne() {
        Cubic cc = afterLossAt(100, new Cubic(MSS));
        // second loss at 70 segments, below W_max = 100
        for (int i = 0; i < 3; i++) {
            cc.onDuplicateAck(1_000_000, 70 * MSS, 1_000_000 + 70 * MSS, 0);
        }
        assertEquals(70 * 1.7 / 2, cc.wMax(), 1e-6); // W_max = cwnd * (1 + β) / 2 (RFC 9438 §4.7)
        Cubic plain = afterLossAt(100, new Cubic(MSS, false));
        for (int i = 0; i < 3; i++) {
            plain.onDuplicateAck(1_000_000, 70 * MSS, 1_000_000 + 70 * MSS, 0);
        }
        assertEquals(70, plain.wMax(), 1e-6);
    }

    @Test
    void renoFriendlyRegionWinsOnShortRoundTrips() {
        Cubic cc = afterLossAt(10, new Cubic(MSS)); // cwnd 7, W_max 10, K ≈ 1.96 s
        long rtt = MS; // 1 ms: the cubic barely moves in 100 RTTs, Reno's estimate does
        long now = 0;
        for (int r = 0; r < 100; r++) {
            int segments = cc.cwnd() / MSS;
            for (int i = 0; i < segments; i++) {
                cc.onAck(1, MSS, cc.cwnd(), now, rtt);
            }
            now += rtt;
        }
        double cubicAt = cc.wCubic(now / 1e9);
        double w = (double) cc.cwnd() / MSS;
        assertTrue(cubicAt < 8, "the cubic alone would be at " + cubicAt);
        // W_est grows by α_cubic ≈ 0.53 per RTT up to cwnd_prior (10), then by 1 per RTT
        assertTrue(w > 60 && w < 110, "cwnd " + w);
    }

    @Test
    void timeoutCollapsesToOneSegmentAndRestartsWithKZero() {
        Cubic cc = afterLossAt(100, new Cubic(MSS));
        cc.onRetransmissionTimeout(60 * MSS, 100_000, 0);
        assertEquals(MSS, cc.cwnd());
        assertEquals(42 * MSS, cc.ssthresh()); // flight * β
        int ack = 0;
        while (cc.cwnd() < cc.ssthresh()) {
            cc.onAck(ack += MSS, MSS, 0, 0, 0);
        }
        cc.onAck(ack + MSS, MSS, cc.cwnd(), 1000 * MS, 100 * MS); // avoidance begins
        assertEquals(0, cc.k(), 1e-9); // RFC 9438 §4.8
        assertEquals((double) cc.cwnd() / MSS, cc.wMax(), 0.1);
    }
}
