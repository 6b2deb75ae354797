package dev.switchboard.tailnet.tcp;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Delayed ACK, Nagle, keep-alive and timestamp RTT measurement of {@link TcpConnection}. */
class TcpTimersTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1000 * MS;

    private static Wire established(TcpConfig a, TcpConfig b) {
        Wire w = new Wire(a, b);
        w.b.listen();
        w.a.connect();
        w.deliverAll();
        assertEquals(TcpState.ESTABLISHED, w.a.state());
        assertEquals(TcpState.ESTABLISHED, w.b.state());
        return w;
    }

    private static List<Wire.Sent> acksFromB(Wire w) {
        return w.sentBy(false).stream().filter(s -> s.length() == 0 && s.flags() == TcpSegment.ACK).toList();
    }

    @Test
    void oneSegmentIsAckedAfterTheDelayAndTheSecondAtOnce() {
        TcpConfig nodelay = TcpConfig.defaults().withNoDelay(true);
        Wire w = established(nodelay, TcpConfig.defaults());
        int before = acksFromB(w).size();
        w.a.write(new byte[100], 0, 100);
        w.deliverAll();
        assertEquals(before, acksFromB(w).size(), "the ACK waits for a second segment");
        assertEquals(40 * MS, w.b.nextDeadlineNanos());
        assertTrue(w.fireNextTimer());
        assertEquals(before + 1, acksFromB(w).size());
        assertEquals(0, w.a.unacknowledged());

        w.a.write(new byte[100], 0, 100);
        w.a.write(new byte[100], 0, 100);
        w.deliverAll();
        assertEquals(before + 2, acksFromB(w).size(), "every second segment is ACKed at once (RFC 5681 §4.2)");
        assertEquals(0, w.a.unacknowledged());
    }

    @Test
    void aReplyCarriesTheDelayedAckAndOutOfOrderDataIsAckedAtOnce() {
        Wire w = established(TcpConfig.defaults(), TcpConfig.defaults());
        w.a.write(new byte[10], 0, 10);
        w.deliverOne();
        int acks = acksFromB(w).size();
        w.b.write(new byte[5], 0, 5); // the reply piggybacks the ACK
        w.deliverAll();
        assertEquals(acks, acksFromB(w).size());
        assertEquals(0, w.a.unacknowledged());
        assertEquals(w.b.retransmissionTimer().deadlineNanos(), w.b.nextDeadlineNanos(),
                "no ACK left pending at B, only the timer for its reply");

        w.inject(true, w.b.rcvNxt() + 50, w.b.sndMax(), TcpSegment.ACK, new byte[10]);
        assertEquals(acks + 1, acksFromB(w).size(), "a segment beyond a hole is ACKed at once with SACK");
        assertEquals(1, acksFromB(w).get(acks).options().sackBlockCount());
    }

    @Test
    void nagleHoldsASecondSmallSegmentUntilTheFirstIsAcked() {
        Wire w = established(TcpConfig.defaults(), TcpConfig.defaults().withDelayedAck(Duration.ZERO));
        w.drop = s -> !s.fromA(); // hold B's ACKs back
        w.a.write(new byte[10], 0, 10);
        w.a.write(new byte[10], 0, 10);
        w.a.write(new byte[10], 0, 10);
        assertEquals(1, w.sentBy(true).stream().filter(s -> s.length() > 0).count(), "one small segment in flight");
        w.drop = s -> false;
        w.deliverAll(); // the first arrives, B ACKs it; the ACK releases the other 20 bytes as one segment
        List<Wire.Sent> data = w.sentBy(true).stream().filter(s -> s.length() > 0).toList();
        assertEquals(List.of(10, 20), data.stream().map(Wire.Sent::length).toList());

        w.a.setNoDelay(true); // TCP_NODELAY: every write goes at once
        w.drop = s -> !s.fromA();
        w.a.write(new byte[10], 0, 10);
        w.a.write(new byte[10], 0, 10);
        assertEquals(4, w.sentBy(true).stream().filter(s -> s.length() > 0).count());
    }

    @Test
    void keepaliveIsOffByDefault() {
        Wire w = established(TcpConfig.defaults(), TcpConfig.defaults());
        assertEquals(Long.MAX_VALUE, w.a.nextDeadlineNanos());
    }

    @Test
    void keepaliveProbesAnIdlePeerAndGivesUpAfterTheUnansweredProbes() {
        TcpConfig.Keepalive k = new TcpConfig.Keepalive(10 * S, S, 3);
        Wire w = established(TcpConfig.defaults().withKeepalive(k), TcpConfig.defaults());
        assertEquals(10 * S, w.a.nextDeadlineNanos());
        assertTrue(w.fireNextTimer());
        Wire.Sent probe = w.sentBy(true).get(w.sentBy(true).size() - 1);
        assertEquals(w.a.sndMax() - 1, probe.seq()); // SND.UNA − 1, no data: the peer must answer
        assertEquals(0, probe.length());
        assertEquals(TcpState.ESTABLISHED, w.a.state());
        assertEquals(20 * S, w.a.nextDeadlineNanos(), "the answer restarted the idle time");

        w.drop = s -> true; // the peer vanishes
        long[] at = new long[4];
        for (int i = 0; i < 4; i++) {
            assertTrue(w.fireNextTimer());
            at[i] = w.now;
        }
        assertEquals(List.of(20 * S, 21 * S, 22 * S, 23 * S), List.of(at[0], at[1], at[2], at[3]));
        assertEquals(TcpState.CLOSED, w.a.state());
        assertEquals(TcpConnection.Error.TIMEOUT, w.a.error());
    }

    @Test
    void timestampsTimeEveryAckAndEchoTheOldestUnackedSegment() {
        TcpConfig nodelay = TcpConfig.defaults().withNoDelay(true);
        Wire w = established(nodelay, TcpConfig.defaults());
        w.now = 10 * MS;
        w.a.write(new byte[100], 0, 100);
        w.deliverAll(); // B holds its ACK; TS.Recent is the first segment's TSval
        w.now = 20 * MS;
        w.a.write(new byte[100], 0, 100);
        w.deliverAll(); // the second segment is past Last.ACK.sent and leaves TS.Recent alone
        Wire.Sent ack = acksFromB(w).get(acksFromB(w).size() - 1);
        assertEquals(10, ack.options().tsEcr(), "RFC 7323 §4.3: the echo times the delay of the held ACK");
        // the handshake sampled 0 ms; this ACK, arriving at 20 ms, echoes 10 ms: a 10 ms sample
        RetransmissionTimer t = w.a.retransmissionTimer();
        assertEquals(10 * MS / 8, t.srttNanos());

        // a retransmission is timed too, from its own TSval (no Karn ambiguity, RFC 7323 §4.2)
        w.drop = s -> s.fromA() && s.length() > 0 && w.now < 300 * MS;
        w.a.write(new byte[100], 0, 100);
        long srtt = t.srttNanos();
        assertTrue(w.fireNextTimer()); // RTO: the copy goes out and is ACKed with no delay
        while (w.a.unacknowledged() > 0 && w.fireNextTimer()) {
            // the delayed ACK
        }
        assertTrue(t.srttNanos() < srtt + 40 * MS / 8 + 1, "sampled from the retransmission, not the first send");
    }
}
