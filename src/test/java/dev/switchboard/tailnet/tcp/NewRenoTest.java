package dev.switchboard.tailnet.tcp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NewRenoTest {
    private static final int MSS = 1220;

    @Test
    void initialWindowFollowsRfc5681() {
        assertEquals(3 * MSS, new NewReno(MSS).cwnd());
        assertEquals(4 * 1000, CongestionControl.initialWindow(1000));
        assertEquals(2 * 8960, CongestionControl.initialWindow(8960));
    }

    @Test
    void slowStartDoublesPerRoundTripAndCapsPerAckGrowthAtOneSmss() {
        NewReno cc = new NewReno(MSS);
        int ack = 0;
        for (int rtt = 0; rtt < 4; rtt++) {
            int segments = cc.cwnd() / MSS;
            for (int i = 0; i < segments; i++) {
                cc.onAck(ack += MSS, MSS, 0, 0, 0);
            }
            assertEquals(2 * segments * MSS, cc.cwnd());
        }
        int before = cc.cwnd();
        cc.onAck(ack + 4 * MSS, 4 * MSS, 0, 0, 0); // a stretch ACK still adds one SMSS (eq. 2)
        assertEquals(before + MSS, cc.cwnd());
    }

    @Test
    void threeDuplicateAcksTriggerOneFastRetransmitAndHalveTheWindow() {
        NewReno cc = grownTo(20);
        int flight = 20 * MSS;
        assertFalse(cc.onDuplicateAck(1000, flight, 1000 + flight, 0));
        assertFalse(cc.onDuplicateAck(1000, flight, 1000 + flight, 0));
        assertTrue(cc.onDuplicateAck(1000, flight, 1000 + flight, 0));
        assertTrue(cc.inFastRecovery());
        assertEquals(10 * MSS, cc.ssthresh());
        assertEquals(13 * MSS, cc.cwnd()); // ssthresh + 3 SMSS
        assertFalse(cc.onDuplicateAck(1000, flight, 1000 + flight, 0));
        assertEquals(14 * MSS, cc.cwnd()); // inflation
        // partial ACK (below recover): deflate by what it acked, add back one SMSS, retransmit
        assertTrue(cc.onAck(1000 + 5 * MSS, 5 * MSS, 15 * MSS, 0, 0));
        assertEquals(10 * MSS, cc.cwnd());
        assertTrue(cc.inFastRecovery());
        // full ACK reaching recover: out of recovery at min(ssthresh, FlightSize + SMSS)
        assertFalse(cc.onAck(1000 + flight, 15 * MSS, 0, 0, 0));
        assertFalse(cc.inFastRecovery());
        // nothing left in flight: min(ssthresh, max(0, SMSS) + SMSS), no burst (RFC 6582 §3.2 step 3)
        assertEquals(2 * MSS, cc.cwnd());
    }

    @Test
    void fullAckWithDataStillInFlightDeflatesToSsthresh() {
        NewReno cc = grownTo(20);
        for (int i = 0; i < 3; i++) {
            cc.onDuplicateAck(0, 20 * MSS, 20 * MSS, 0);
        }
        cc.onAck(20 * MSS, 20 * MSS, 12 * MSS, 0, 0);
        assertEquals(10 * MSS, cc.cwnd());
    }

    @Test
    void duplicatesNotBeyondRecoverDoNotReduceTwice() {
        NewReno cc = grownTo(20);
        for (int i = 0; i < 3; i++) {
            cc.onDuplicateAck(0, 20 * MSS, 20 * MSS, 0);
        }
        cc.onAck(20 * MSS, 20 * MSS, 10 * MSS, 0, 0); // recover = 20 MSS reached
        int ssthresh = cc.ssthresh();
        // duplicates acknowledging exactly recover: the same episode (RFC 6582 §3.2 step 2)
        for (int i = 0; i < 3; i++) {
            assertFalse(cc.onDuplicateAck(20 * MSS, 10 * MSS, 30 * MSS, 0));
        }
        assertEquals(ssthresh, cc.ssthresh());
        cc.onAck(21 * MSS, MSS, 9 * MSS, 0, 0);
        for (int i = 0; i < 2; i++) {
            assertFalse(cc.onDuplicateAck(21 * MSS, 9 * MSS, 30 * MSS, 0));
        }
        assertTrue(cc.onDuplicateAck(21 * MSS, 9 * MSS, 30 * MSS, 0)); // a new loss beyond recover
    }

    @Test
    void congestionAvoidanceAddsOneSmssPerWindow() {
        NewReno cc = grownTo(20);
        for (int i = 0; i < 3; i++) {
            cc.onDuplicateAck(0, 20 * MSS, 20 * MSS, 0);
        }
        cc.onAck(20 * MSS, 20 * MSS, 20 * MSS, 0, 0);
        assertEquals(10 * MSS, cc.cwnd());
        int ack = 20 * MSS;
        for (int rtt = 0; rtt < 5; rtt++) {
            int w = cc.cwnd();
            for (int i = 0; i < w / MSS; i++) {
                cc.onAck(ack += MSS, MSS, w, 0, 0);
            }
            assertEquals(w + MSS, cc.cwnd(), "rtt " + rtt);
        }
    }

    @Test
    void timeoutCollapsesToOneSegmentThenSlowStartsToSsthresh() {
        NewReno cc = grownTo(16);
        cc.onRetransmissionTimeout(16 * MSS, 16 * MSS, 0);
        assertEquals(MSS, cc.cwnd());
        assertEquals(8 * MSS, cc.ssthresh());
        assertFalse(cc.inFastRecovery());
        cc.onRetransmissionTimeout(MSS, 16 * MSS, 0); // again with one segment out: floor 2 SMSS
        assertEquals(2 * MSS, cc.ssthresh());
        cc.onAck(MSS, MSS, 0, 0, 0);
        assertEquals(2 * MSS, cc.cwnd());
        cc.onAck(2 * MSS, MSS, 0, 0, 0); // at ssthresh: congestion avoidance, no more doubling
        assertEquals(2 * MSS, cc.cwnd());
    }

    private static NewReno grownTo(int segments) {
        NewReno cc = new NewReno(MSS);
        int ack = 0;
        while (cc.cwnd() < segments * MSS) {
            cc.onAck(ack += MSS, MSS, 0, 0, 0);
        }
        assertEquals(segments * MSS, cc.cwnd());
        return cc;
    }
}
