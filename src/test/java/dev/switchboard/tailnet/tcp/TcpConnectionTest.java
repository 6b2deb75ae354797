package dev.switchboard.tailnet.tcp;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpConnectionTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1000 * MS;

    private static Wire established() {
        Wire w = new Wire();
        w.b.listen();
        w.a.connect();
        w.deliverAll();
        assertEquals(TcpState.ESTABLISHED, w.a.state());
        assertEquals(TcpState.ESTABLISHED, w.b.state());
        return w;
    }

    @Test
    void threeWayHandshakeNegotiatesOptions() {
        Wire w = established();
        List<Wire.Sent> s = w.sent;
        assertEquals(3, s.size());
        Wire.Sent syn = s.get(0);
        assertTrue(syn.fromA() && syn.flags() == TcpSegment.SYN);
        assertEquals(0x1000_0000, syn.seq());
        assertEquals(1220, syn.options().mss()); // 1280 − 40 − 20
        assertEquals(3, syn.options().windowScale()); // 256 KiB >> 3 = 32 KiB fits 16 bits; >> 2 does not
        assertTrue(syn.options().sackPermitted() && syn.options().hasTimestamps());
        Wire.Sent synAck = s.get(1);
        assertEquals(TcpSegment.SYN | TcpSegment.ACK, synAck.flags());
        assertEquals(0xfffff000, synAck.seq());
        assertEquals(0x1000_0001, synAck.ack());
        assertEquals(syn.options().tsVal(), synAck.options().tsEcr());
        Wire.Sent ack = s.get(2);
        assertEquals(TcpSegment.ACK, ack.flags());
        assertEquals(0xfffff001, ack.ack());
        // MSS less the 12 timestamp bytes each segment carries
        assertEquals(1208, w.a.sendMss());
        assertEquals(1208, w.b.sendMss());
        assertTrue(w.a.timestampsEnabled() && w.b.timestampsEnabled());
        assertEquals(3, w.a.sendWindowScale());
        assertEquals(256 * 1024, w.b.sendWindow()); // the ACK's window, scaled
    }

    @Test
    void dataFlowsBothWaysAndCloseReachesTimeWait() {
        Wire w = established();
        byte[] hello = "hello, tailnet".getBytes();
        assertEquals(hello.length, w.a.write(hello, 0, hello.length));
        w.deliverAll();
        byte[] got = new byte[100];
        assertEquals(hello.length, w.b.read(got, 0, 100));
        assertEquals("hello, tailnet", new String(got, 0, hello.length));
        w.b.write("pong".getBytes(), 0, 4);
        w.deliverAll();
        assertEquals(4, w.a.read(got, 0, 100));

        w.a.close();
        assertEquals(TcpState.FIN_WAIT_1, w.a.state());
        w.deliverAll();
        assertEquals(TcpState.FIN_WAIT_2, w.a.state());
        assertEquals(TcpState.CLOSE_WAIT, w.b.state());
        assertTrue(w.b.peerClosed());
        w.b.close();
        w.deliverAll();
        assertEquals(TcpState.CLOSED, w.b.state());
        assertEquals(TcpState.TIME_WAIT, w.a.state());
        w.now += 59 * S;
        w.a.onTimer();
        assertEquals(TcpState.TIME_WAIT, w.a.state());
        w.now += S;
        w.a.onTimer(); // TIME_WAIT is bounded by the configured 2 MSL
        assertEquals(TcpState.CLOSED, w.a.state());
        assertEquals(TcpConnection.Error.NONE, w.a.error());
    }

    @Test
    void simultaneousOpenReachesEstablishedOnBothSides() {
        Wire w = new Wire();
        w.a.connect();
        w.b.connect(); // RFC 9293 §3.5 Figure 8: the SYNs cross
        w.deliverAll();
        assertEquals(TcpState.ESTABLISHED, w.a.state());
        assertEquals(TcpState.ESTABLISHED, w.b.state());
        assertEquals(2, w.sent.stream().filter(s -> s.flags() == (TcpSegment.SYN | TcpSegment.ACK)).count());
        w.a.write(new byte[] {1, 2, 3}, 0, 3);
        w.deliverAll();
        assertEquals(3, w.b.readable());
    }

    @Test
    void lostSynAckIsRetransmittedAndTheRtoRestartsAtThreeSeconds() {
        Wire w = new Wire();
        int[] synAcks = {0};
        w.drop = s -> s.flags() == (TcpSegment.SYN | TcpSegment.ACK) && synAcks[0]++ == 0;
        w.b.listen();
        w.a.connect();
        w.deliverAll();
        assertEquals(TcpState.SYN_SENT, w.a.state());
        assertEquals(TcpState.SYN_RECEIVED, w.b.state());
        assertTrue(w.fireNextTimer()); // 1 s: both retransmit (RFC 6298 §2.1 initial RTO)
        assertEquals(1 * S, w.now);
        assertEquals(TcpState.ESTABLISHED, w.a.state());
        assertEquals(TcpState.ESTABLISHED, w.b.state());
        assertTrue(synAcks[0] >= 2);
        assertEquals(3 * S, w.a.retransmissionTimer().rtoNanos()); // RFC 6298 §5.7
    }

    @Test
    void synToAClosedPortIsRefusedWithReset() {
        Wire w = new Wire(); // b stays CLOSED
        w.a.connect();
        w.deliverAll();
        Wire.Sent rst = w.sentBy(false).get(0);
        assertEquals(TcpSegment.RST | TcpSegment.ACK, rst.flags());
        assertEquals(0x1000_0001, rst.ack()); // SEG.SEQ + SEG.LEN (RFC 9293 §3.10.7.1)
        assertEquals(TcpState.CLOSED, w.a.state());
        assertEquals(TcpConnection.Error.REFUSED, w.a.error());
    }

    @Test
    void synGivesUpAfterTheConfiguredRetries() {
        Wire w = new Wire();
        w.drop = s -> true;
        w.a.connect();
        long[] expectedGaps = {1, 2, 4, 8, 16, 32};
        long last = 0;
        for (long gap : expectedGaps) {
            assertTrue(w.fireNextTimer());
            assertEquals(gap * S, w.now - last); // doubling back-off between SYNs
            last = w.now;
        }
        assertEquals(7, w.sentBy(true).size());
        assertTrue(w.fireNextTimer());
        assertEquals(TcpState.CLOSED, w.a.state());
        assertEquals(TcpConnection.Error.TIMEOUT, w.a.error());
    }

    @Test
    void retransmittedFinAndSimultaneousClose() {
        Wire w = established();
        int[] fins = {0};
        w.drop = s -> s.fromA() && s.has(TcpSegment.FIN) && fins[0]++ == 0;
        w.a.close();
        w.deliverAll();
        assertEquals(TcpState.ESTABLISHED, w.b.state()); // first FIN lost
        assertEquals(TcpState.FIN_WAIT_1, w.a.state());
        assertTrue(w.fireNextTimer());
        assertEquals(2, fins[0]);
        assertEquals(TcpState.CLOSE_WAIT, w.b.state());
        assertEquals(TcpState.FIN_WAIT_2, w.a.state());

        Wire both = established();
        both.a.close();
        both.b.close(); // both FINs in flight at once: CLOSING on each side
        both.deliverOne();
        both.deliverOne();
        assertEquals(TcpState.CLOSING, both.a.state());
        assertEquals(TcpState.CLOSING, both.b.state());
        both.deliverAll();
        assertEquals(TcpState.TIME_WAIT, both.a.state());
        assertEquals(TcpState.TIME_WAIT, both.b.state());
    }

    @Test
    void timeWaitAcknowledgesARetransmittedFinAndRestartsItsTimer() {
        Wire w = established();
        w.a.close();
        w.deliverAll();
        int[] acks = {0};
        w.drop = s -> s.fromA() && s.flags() == TcpSegment.ACK && acks[0]++ == 0; // the ACK of B's FIN
        w.b.close();
        w.deliverAll();
        assertEquals(TcpState.TIME_WAIT, w.a.state());
        assertEquals(TcpState.LAST_ACK, w.b.state());
        w.now += 10 * S;
        w.a.onTimer();
        w.b.onTimer(); // B retransmits its FIN; A in TIME_WAIT ACKs it and restarts 2 MSL
        w.deliverAll();
        assertEquals(TcpState.CLOSED, w.b.state());
        assertEquals(10 * S + 60 * S, w.a.nextDeadlineNanos());
    }

    @Test
    void fastRetransmitRepairsASingleLossWithoutWaitingForTheTimer() {
        Wire w = established();
        long start = w.now;
        int[] dataSegments = {0};
        w.drop = s -> s.fromA() && s.length() > 0 && ++dataSegments[0] == 2; // lose the second segment
        byte[] data = new byte[1208 * 20];
        new Random(7).nextBytes(data);
        int offset = 0;
        byte[] got = new byte[data.length];
        int read = 0;
        while (read < data.length) {
            offset += w.a.write(data, offset, data.length - offset);
            w.deliverAll();
            read += w.b.read(got, read, data.length - read);
            if (w.queued() == 0 && read < data.length && w.a.writable() == 0) {
                break;
            }
            if (offset == data.length && read < data.length && !w.deliverOne()) {
                break;
            }
        }
        w.deliverAll();
        assertArrayEquals(data, got);
        assertEquals(start, w.now); // no timer fired: three duplicate ACKs did it
        int lostSeq = 0x1000_0001 + 1208;
        assertEquals(2, w.sentBy(true).stream().filter(s -> s.length() > 0 && s.seq() == lostSeq).count());
        assertTrue(w.sentBy(false).stream().anyMatch(s -> s.options().sackBlockCount() > 0),
                "duplicate ACKs carried SACK blocks");
        assertEquals(0, w.a.unacknowledged());
        assertFalse(w.a.congestionControl().inFastRecovery());
    }

    @Test
    void zeroWindowIsProbedUntilTheLostWindowUpdateIsLearned() {
        TcpConfig small = TcpConfig.defaults().withBuffers(4096, 256 * 1024);
        Wire w = new Wire(TcpConfig.defaults(), small);
        w.b.listen();
        w.a.connect();
        w.deliverAll();
        byte[] data = new byte[10_000];
        new Random(11).nextBytes(data);
        assertEquals(data.length, w.a.write(data, 0, data.length));
        w.deliverAll();
        assertTrue(w.fireNextTimer()); // B's delayed ACK lets A's last 472 bytes out (sender SWS held them)
        assertTrue(w.fireNextTimer()); // and B's delayed ACK of those closes the window
        assertEquals(4096, w.b.readable());
        assertEquals(0, w.a.sendWindow());
        long probeAt = w.a.nextDeadlineNanos();
        assertTrue(probeAt < Long.MAX_VALUE, "persist timer armed");

        // the reader drains, but its window update is lost
        w.drop = s -> !s.fromA() && s.window() > 0;
        byte[] got = new byte[data.length];
        int read = w.b.read(got, 0, got.length);
        w.deliverAll();
        assertEquals(0, w.a.sendWindow());
        w.drop = s -> false;
        assertTrue(w.fireNextTimer()); // the probe, SND.UNA − 1, draws an ACK with the open window
        Wire.Sent probe = w.sentBy(true).stream().filter(s -> s.length() == 0 && s.flags() == TcpSegment.ACK)
                .reduce((x, y) -> y).orElseThrow();
        assertEquals(0x1000_0001 + 4096 - 1, probe.seq());
        while (read < data.length) {
            w.deliverAll();
            int n = w.b.read(got, read, got.length - read);
            read += n;
            if (n == 0 && !w.fireNextTimer()) {
                break;
            }
        }
        assertArrayEquals(data, got);
    }

    @Test
    void oneMebibyteCrossesALossyReorderingDuplicatingLinkIntact() {
        for (long seed = 1; seed <= 4; seed++) {
            // seeds 1-3 under CUBIC, seed 4 under NewReno
            TcpConfig config = seed == 4
                    ? TcpConfig.defaults().withCongestionControl(NewReno::new)
                    : TcpConfig.defaults();
            Wire w = new Wire(config, config).impair(seed, 0.02, 0.01, 0.05);
            w.b.listen();
            w.a.connect();
            byte[] data = new byte[1 << 20];
            new Random(seed).nextBytes(data);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] buffer = new byte[64 * 1024];
            int written = 0;
            boolean closed = false;
            for (int step = 0; step < 200_000; step++) {
                if (w.a.state() == TcpState.ESTABLISHED && written < data.length) {
                    written += w.a.write(data, written, data.length - written);
                }
                if (written == data.length && !closed) {
                    w.a.close();
                    closed = true;
                }
                int n = w.b.read(buffer, 0, buffer.length);
                received.write(buffer, 0, n);
                if (w.b.peerClosed() && w.b.readable() == 0 && w.b.state() == TcpState.CLOSE_WAIT) {
                    w.b.close();
                }
                if (!w.deliverOne() && !w.fireNextTimer()) {
                    break;
                }
                if (w.a.state() == TcpState.CLOSED && w.b.state() == TcpState.CLOSED) {
                    break;
                }
            }
            assertEquals(data.length, received.size(), "seed " + seed);
            assertArrayEquals(data, received.toByteArray(), "seed " + seed);
            assertEquals(TcpState.CLOSED, w.b.state(), "seed " + seed);
            assertTrue(w.a.state() == TcpState.TIME_WAIT || w.a.state() == TcpState.CLOSED, "seed " + seed);
            assertEquals(TcpConnection.Error.NONE, w.a.error());
            long dataSegments = w.sentBy(true).stream().filter(s -> s.length() > 0).count();
            long retransmitted = dataSegments - (data.length + 1207) / 1208;
            assertTrue(retransmitted > 0, "seed " + seed + ": the link lost nothing?");
        }
    }

    /** Drives A into {@code target} against B; the link is left empty. */
    private static Wire inState(TcpState target) {
        Wire w = new Wire();
        switch (target) {
            case SYN_SENT -> {
                w.drop = s -> true;
                w.b.listen();
                w.a.connect();
            }
            case SYN_RECEIVED -> {
                w.drop = s -> !s.fromA() && !s.has(TcpSegment.SYN); // B's handshake ACK is lost
                w.a.listen();
                w.b.connect();
                w.deliverAll();
            }
            case ESTABLISHED -> w = established();
            case FIN_WAIT_1 -> {
                w = established();
                w.drop = s -> true;
                w.a.close();
            }
            case FIN_WAIT_2 -> {
                w = established();
                w.a.close();
                w.deliverAll();
            }
            case CLOSE_WAIT -> {
                w = established();
                w.b.close();
                w.deliverAll();
            }
            case LAST_ACK -> {
                w = inState(TcpState.CLOSE_WAIT);
                w.drop = s -> true;
                w.a.close();
            }
            case CLOSING -> {
                w = established();
                w.drop = s -> !s.fromA() && !s.has(TcpSegment.FIN); // B's ACK of A's FIN is lost
                w.a.close();
                w.b.close();
                w.deliverOne();
                w.deliverOne();
                w.drop = s -> true;
                w.deliverAll();
            }
            case TIME_WAIT -> {
                w = inState(TcpState.FIN_WAIT_2);
                w.b.close();
                w.deliverAll();
            }
            default -> throw new IllegalArgumentException(target.toString());
        }
        w.drop = s -> false;
        assertEquals(target, w.a.state());
        return w;
    }

    @Test
    void resetInEachStateFollowsRfc9293Section3107() {
        record Case(TcpState state, TcpConnection.Error error) {
        }
        List<Case> cases = List.of(
                new Case(TcpState.SYN_RECEIVED, TcpConnection.Error.RESET),
                new Case(TcpState.ESTABLISHED, TcpConnection.Error.RESET),
                new Case(TcpState.FIN_WAIT_1, TcpConnection.Error.RESET),
                new Case(TcpState.FIN_WAIT_2, TcpConnection.Error.RESET),
                new Case(TcpState.CLOSE_WAIT, TcpConnection.Error.RESET),
                new Case(TcpState.CLOSING, TcpConnection.Error.NONE),
                new Case(TcpState.LAST_ACK, TcpConnection.Error.NONE),
                new Case(TcpState.TIME_WAIT, TcpConnection.Error.NONE));
        for (Case c : cases) {
            // in the window but not at RCV.NXT: a challenge ACK, the connection survives (RFC 5961 §3.2)
            Wire w = inState(c.state());
            int before = w.sentBy(true).size();
            w.inject(false, w.a.rcvNxt() + 100, 0, TcpSegment.RST);
            assertEquals(c.state(), w.a.state(), c.state() + " challenge");
            List<Wire.Sent> fromA = w.sentBy(true);
            assertEquals(before + 1, fromA.size(), c.state() + " challenge ACK");
            assertEquals(TcpSegment.ACK, fromA.get(fromA.size() - 1).flags());
            // outside the window: dropped without a word
            w.inject(false, w.a.rcvNxt() - 5000, 0, TcpSegment.RST);
            assertEquals(c.state(), w.a.state());
            assertEquals(before + 1, w.sentBy(true).size(), c.state() + " silent drop");
            // exactly at RCV.NXT: the connection is reset
            w.inject(false, w.a.rcvNxt(), 0, TcpSegment.RST);
            assertEquals(TcpState.CLOSED, w.a.state(), c.state() + " reset");
            assertEquals(c.error(), w.a.error(), c.state() + " error");
        }
    }

    @Test
    void resetInSynSentNeedsAnAcceptableAckAndListenIgnoresIt() {
        Wire w = inState(TcpState.SYN_SENT);
        w.inject(false, 0, 0x1000_0001, TcpSegment.RST); // no ACK bit: ignored
        assertEquals(TcpState.SYN_SENT, w.a.state());
        w.inject(false, 0, 0x1000_0005, TcpSegment.RST | TcpSegment.ACK); // unacceptable ACK: ignored
        assertEquals(TcpState.SYN_SENT, w.a.state());
        w.inject(false, 0, 0x1000_0001, TcpSegment.RST | TcpSegment.ACK);
        assertEquals(TcpState.CLOSED, w.a.state());
        assertEquals(TcpConnection.Error.REFUSED, w.a.error());

        Wire l = new Wire();
        l.b.listen();
        l.inject(true, 5, 0, TcpSegment.RST);
        assertEquals(TcpState.LISTEN, l.b.state());
        assertTrue(l.sent.isEmpty());
        l.inject(true, 5, 777, TcpSegment.ACK); // an ACK to a listener draws <SEQ=SEG.ACK><CTL=RST>
        assertEquals(TcpSegment.RST, l.sent.get(0).flags());
        assertEquals(777, l.sent.get(0).seq());
        assertEquals(TcpState.LISTEN, l.b.state());
    }

    @Test
    void synInASynchronizedStateDrawsAChallengeAck() {
        Wire w = established();
        int before = w.sent.size();
        w.inject(false, w.a.rcvNxt() + 10, 0, TcpSegment.SYN);
        assertEquals(TcpState.ESTABLISHED, w.a.state());
        assertEquals(before + 1, w.sent.size());
        assertEquals(TcpSegment.ACK, w.sent.get(w.sent.size() - 1).flags());
    }

    @Test
    void zeroWindowStillProcessesTheAckOfASegmentAtRcvNxt() {
        TcpConfig small = TcpConfig.defaults().withBuffers(4096, 256 * 1024);
        Wire w = new Wire(small, TcpConfig.defaults());
        w.b.listen();
        w.a.connect();
        w.deliverAll();
        byte[] fill = new byte[4096];
        w.b.write(fill, 0, fill.length);
        w.deliverAll();
        assertEquals(0, w.a.receiveQueue().window()); // A's reader has not read: zero window
        w.drop = s -> !s.fromA(); // B's ACKs of A's data are lost
        w.a.write(new byte[100], 0, 100);
        w.deliverAll();
        w.drop = s -> false;
        assertEquals(100, w.a.unacknowledged());
        // a BSD-style probe: one byte at RCV.NXT, acknowledging A's 100 bytes
        w.inject(false, w.a.rcvNxt(), w.a.sndMax(), TcpSegment.ACK, new byte[] {42});
        assertEquals(0, w.a.unacknowledged(), "the ACK was processed despite the zero window");
        assertEquals(4096, w.a.readable()); // and the byte that found no room was not taken
    }

    @Test
    void advertisedWindowIsTheRoomTheReaderLeft() {
        TcpConfig small = TcpConfig.defaults().withBuffers(8192, 256 * 1024);
        Wire w = new Wire(TcpConfig.defaults(), small);
        w.b.listen();
        w.a.connect();
        w.deliverAll();
        assertEquals(8192, w.sent.get(1).window()); // B's SYN-ACK: an unscaled 8 KiB (shift 0)
        w.a.write(new byte[3000], 0, 3000);
        w.deliverAll();
        assertTrue(w.fireNextTimer()); // B delays the ACK of the third segment (RFC 5681 §4.2)
        Wire.Sent ack = w.sentBy(false).get(w.sentBy(false).size() - 1);
        assertEquals(8192 - 3000, ack.window()); // unread bytes hold the window shut
        assertEquals(8192 - 3000, w.a.sendWindow());
        byte[] sink = new byte[3000];
        w.b.read(sink, 0, 100); // less than min(buffer / 2, MSS): no update yet (RFC 9293 §3.8.6.2.2)
        assertEquals(ack, w.sentBy(false).get(w.sentBy(false).size() - 1));
        w.b.read(sink, 0, 3000); // the rest: the right edge moves 3000 bytes, an update goes out
        w.deliverAll();
        assertEquals(8192, w.sentBy(false).get(w.sentBy(false).size() - 1).window());
        assertEquals(8192, w.a.sendWindow());
    }

    @Test
    void pawsDropsASegmentWithAnOlderTimestamp() {
        Wire w = established();
        w.now += 5 * S;
        w.b.write(new byte[10], 0, 10);
        w.deliverAll();
        assertEquals(10, w.a.readable());
        int tsRecent = w.sentBy(false).get(w.sentBy(false).size() - 1).options().tsVal();
        int acks = w.sentBy(true).size();
        // an old duplicate: in the window by sequence number, but stamped before TS.Recent
        TcpOptions old = new TcpOptions().timestamps(tsRecent - 1000, 0);
        w.inject(false, w.a.rcvNxt(), w.a.sndMax(), TcpSegment.ACK, new byte[5], old);
        assertEquals(10, w.a.readable(), "PAWS dropped the stale segment");
        assertEquals(acks + 1, w.sentBy(true).size(), "and answered it with an ACK");
        TcpOptions fresh = new TcpOptions().timestamps(tsRecent + 1, 0);
        w.inject(false, w.a.rcvNxt(), w.a.sndMax(), TcpSegment.ACK, new byte[5], fresh);
        assertEquals(15, w.a.readable());
        // a RST is exempt from PAWS (RFC 7323 §5.3 R1)
        w.inject(false, w.a.rcvNxt(), 0, TcpSegment.RST, new byte[0], old);
        assertEquals(TcpState.CLOSED, w.a.state());
    }
}
