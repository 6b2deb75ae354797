package dev.switchboard.tailnet.tcp;

import static dev.switchboard.tailnet.tcp.SeqNum.gt;
import static dev.switchboard.tailnet.tcp.SeqNum.le;
import static dev.switchboard.tailnet.tcp.SeqNum.lt;

/**
 * The send half of a {@link TcpConnection}: the send sequence space of RFC 9293 §3.3.1 (SND.UNA,
 * SND.NXT, SND.WND, SND.WL1, SND.WL2) plus SND.MAX, the highest sequence number ever sent, since a
 * retransmission timeout rewinds SND.NXT to SND.UNA (go-back-N under the collapsed window of
 * RFC 5681 §3.1) while ACKs up to SND.MAX stay acceptable. Owns the send buffer, our FIN, the
 * {@link RetransmissionTimer}, the {@link CongestionControl}, the {@link SackScoreboard} for
 * RFC 6675 loss recovery and the {@link PersistTimer} for zero windows. Segments leave through
 * the connection, which adds ACK, window and options. Owned by the connection's event loop.
 */
final class TcpSender {
    private final TcpConnection connection;
    private final SendBuffer buffer;
    private final RetransmissionTimer timer;
    private final PersistTimer persist;
    private final SackScoreboard scoreboard = new SackScoreboard();
    private final int[] hole = new int[2];
    private final SmallSegments small;
    private final byte[] scratch;
    private final int iss;
    // owned by the connection's event loop
    private CongestionControl cc;
    private boolean sackOk;
    private boolean timestampRtt;
    private boolean synAcked;
    private int sndUna;
    private int sndNxt;
    private int sndMax;
    private int sndWnd;
    private int sndWl1;
    private int sndWl2;
    private int sndScale;
    private int sndMss;
    private boolean finQueued;
    private boolean finAcked;
    private int finSeq;
    private int retries;
    private int limitedTransmit;

    TcpSender(TcpConnection connection, int iss, int bufferSize, byte[] scratch, RetransmissionTimer.Config rto,
              boolean noDelay) {
        this.connection = connection;
        this.iss = iss;
        this.buffer = new SendBuffer(bufferSize);
        this.scratch = scratch;
        this.timer = new RetransmissionTimer(rto);
        this.persist = new PersistTimer(rto.maxRtoNanos());
        this.small = new SmallSegments(noDelay);
        this.sndUna = iss;
    }

    /** Our SYN went out (again, when {@code retransmission}): it occupies ISS. */
    void synSent(long now, boolean retransmission) {
        sndNxt = iss + 1;
        sndMax = sndNxt;
        if (!retransmission) {
            timer.startTiming(sndNxt, now); // a SYN sent once gives an RTT sample (RFC 6298 §2)
        }
        timer.armIfIdle(now);
    }

    /**
     * What the peer's SYN told us: its MSS (less our per-segment options), window shift and
     * window, and whether SACK (RFC 2018 §2) and timestamps (RFC 7323 §3.2) are on.
     */
    void negotiated(int mss, int windowShift, CongestionControl congestionControl, TcpSegment syn, boolean sack,
                    boolean timestamps) {
        sndMss = mss;
        sndScale = windowShift;
        cc = congestionControl;
        sackOk = sack;
        timestampRtt = timestamps;
        sndWnd = syn.window(); // RFC 7323 §2.2: the window in a SYN is never scaled
        sndWl1 = syn.seq();
        sndWl2 = syn.ack();
    }

    /** The ACK of our SYN (RFC 9293 §3.10.7.3 and §3.10.7.4 fifth step, SYN_RECEIVED). */
    void onSynAcked(int ack, TcpSegment seg, long now, boolean synRetransmitted) {
        synAcked = true;
        sndUna = iss + 1;
        small.start(sndUna);
        scoreboard.startEpisode(sndUna);
        if (lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        timer.onAck(ack, now);
        timer.stop();
        timer.onHandshakeComplete(synRetransmitted);
        retries = 0;
        sndWnd = seg.has(TcpSegment.SYN) ? seg.window() : seg.window() << sndScale;
        sndWl1 = seg.seq();
        sndWl2 = ack;
    }

    void setNoDelay(boolean on) {
        small.setNoDelay(on);
    }

    int write(byte[] src, int off, int len) {
        return finQueued ? 0 : buffer.write(src, off, len);
    }

    /** CLOSE: a FIN follows the buffered data, at a sequence number fixed from now on. */
    void queueFin() {
        if (!finQueued) {
            finQueued = true;
            finSeq = dataStart() + buffer.size();
        }
    }

    /**
     * An ACK in a synchronized state (RFC 9293 §3.10.7.4 fifth step); false if it acks unsent
     * data. {@code rttNanos} is the timestamp RTT sample of RFC 7323 §4, or -1.
     */
    boolean onAck(TcpSegment seg, int ack, long now, long rttNanos) {
        if (gt(ack, sndMax)) {
            return false;
        }
        boolean sameWindow = (seg.window() << sndScale) == sndWnd;
        if (gt(ack, sndUna)) {
            onNewAck(seg, ack, now, rttNanos);
        } else if (ack == sndUna && seg.payloadLength() == 0 && !seg.has(TcpSegment.FIN) && sameWindow
                && flightSize() > 0) {
            recordSack(seg);
            // the RFC 5681 §2 duplicate ACK; the third triggers fast retransmit (§3.2 step 2)
            if (cc.onDuplicateAck(sndUna, flightSize(), sndMax, now)) {
                limitedTransmit = 0;
                scoreboard.startEpisode(sndUna);
                retransmitFirst();
            } else if (!cc.inFastRecovery()) {
                // RFC 3042 limited transmit: the first two duplicates each let one new segment
                // out, so a small window (or a receiver whose delayed ACK covered two segments)
                // still produces the third duplicate instead of waiting for the RTO
                limitedTransmit = Math.min(limitedTransmit + 1, FastRecovery.DUP_ACK_THRESHOLD - 1);
            }
        } else {
            recordSack(seg);
        }
        // SND.WL1/WL2 keep an old reordered segment from rewinding the window
        if (lt(sndWl1, seg.seq()) || (sndWl1 == seg.seq() && le(sndWl2, ack))) {
            sndWnd = seg.window() << sndScale;
            sndWl1 = seg.seq();
            sndWl2 = ack;
        }
        return true;
    }

    /** A cumulative ACK above SND.UNA; the timer restarts or stops (RFC 6298 §5.2–§5.3). */
    private void onNewAck(TcpSegment seg, int ack, long now, long rttNanos) {
        int acked = ack - sndUna;
        if (timestampRtt && rttNanos >= 0) {
            timer.sample(rttNanos); // RFC 7323 §4.2: a retransmission is timed correctly too
        } else {
            timer.onAck(ack, now);
        }
        int finPart = finQueued && !finAcked && gt(ack, finSeq) ? 1 : 0;
        buffer.ack(acked - finPart);
        finAcked |= finPart == 1;
        sndUna = ack;
        if (lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        scoreboard.advance(sndUna);
        recordSack(seg);
        persist.progress();
        retries = 0;
        limitedTransmit = 0;
        boolean partial = cc.onAck(ack, acked, flightSize(), now, timer.srttNanos());
        if (sndUna == sndMax) {
            timer.stop();
        } else {
            timer.arm(now);
        }
        // RFC 6582 §3.2 step 3: the next hole at once; with SACK only if this episode has not
        // resent it yet, otherwise output() fills the holes the scoreboard shows (RFC 6675 §5)
        if (partial && (!sackOk || !scoreboard.retransmittedPast(sndUna))) {
            retransmitFirst();
        }
    }

    private void recordSack(TcpSegment seg) {
        if (!sackOk) {
            return;
        }
        scoreboard.record(seg.options(), sndUna, sndMax);
        if (scoreboard.reneged(sndUna)) {
            scoreboard.clear();
        }
    }

    /**
     * Sends what the windows allow: lost holes first during SACK recovery (RFC 6675 §5 step C,
     * NextSeg rule 1), then new data, then the FIN once all data is out. Returns true if anything
     * went out.
     */
    boolean output(long now) {
        boolean any = false;
        while (sendOne(now)) {
            any = true;
            timer.armIfIdle(now); // RFC 6298 §5.1
        }
        boolean unsentData = buffer.size() > sndNxt - dataStart();
        if (sndWnd == 0 && unsentData && sndUna == sndMax) {
            persist.armIfIdle(now, timer.rtoNanos());
        } else {
            persist.stop();
        }
        return any;
    }

    private boolean sendOne(long now) {
        boolean sackRecovery = sackOk && cc.inFastRecovery();
        int window;
        if (sackRecovery) {
            // RFC 6675 §5 step 4.2: cwnd = ssthresh for the episode, and what is in the network is
            // the pipe, not SND.NXT − SND.UNA (FastRecovery's inflation is for the non-SACK case)
            window = cc.ssthresh() - scoreboard.pipe(sndUna, sndMax, sndMss);
            if (window < sndMss) {
                return false;
            }
            if (scoreboard.nextLostHole(sndUna, sndMss, hole)) {
                int n = Math.min(hole[1] - hole[0], sndMss);
                resend(hole[0], n);
                return true;
            }
        } else {
            if (sackOk && lt(sndNxt, sndMax)) {
                // go-back-N after an RTO skips what the receiver holds; Linux keeps SACKed data
                // marked through a timeout too (tcp_timeout_mark_lost), clearing it only on reneging
                sndNxt = scoreboard.skipSacked(sndNxt);
            }
            window = cc.cwnd() + limitedTransmit * sndMss - (sndNxt - sndUna);
        }
        boolean retransmission = lt(sndNxt, sndMax);
        int unsent = unsentBytes();
        if (unsent > 0) {
            int n = Math.min(Math.min(unsent, sndMss), Math.min(window, sndUna + sndWnd - sndNxt));
            if (retransmission && sackOk) {
                n = Math.min(n, scoreboard.nextSacked(sndNxt, sndMax) - sndNxt);
            }
            if (n <= 0 || (!retransmission && small.hold(n, unsent, sndMss, sndNxt, sndUna, finQueued))) {
                return false;
            }
            buffer.copy(sndNxt - dataStart(), scratch, 0, n);
            connection.emit(sndNxt, TcpSegment.ACK | (n == unsent ? TcpSegment.PSH : 0), n);
            if (!retransmission && !timestampRtt) {
                timer.startTiming(sndNxt + n, now); // never time a retransmission (Karn)
            } else if (retransmission) {
                timer.onRetransmit();
            }
            small.sent(sndNxt, n, sndMss);
            advance(n);
            return true;
        }
        if (finPending()) {
            connection.emit(sndNxt, TcpSegment.FIN | TcpSegment.ACK, 0);
            advance(1);
            return true;
        }
        return false;
    }

    /**
     * RTO in a synchronized state (RFC 6298 §5.4–§5.6, RFC 5681 §3.1 eq. 4): back off, collapse
     * the window to one segment and resend from SND.UNA.
     */
    void onDataTimeout(long now) {
        timer.onTimeout(now);
        timer.onRetransmit();
        cc.onRetransmissionTimeout(flightSize(), sndMax, now);
        scoreboard.startEpisode(sndUna);
        sndNxt = sndUna;
        output(now);
    }

    /** RTO during the handshake: back off; the connection resends its SYN. */
    void onSynTimeout(long now) {
        timer.onTimeout(now);
        timer.onRetransmit();
    }

    /** The persist timer fired: a zero-window probe (see {@link #sendProbe}). */
    void onPersistTimeout(long now) {
        sendProbe();
        persist.probed(now, timer.rtoNanos());
    }

    /**
     * A probe as Linux sends it for zero windows and keep-alives (tcp_xmit_probe_skb): an ACK at
     * SND.UNA − 1, an old sequence number the receiver must answer with an ACK carrying its
     * current window (RFC 9293 §3.10.7.4 first step).
     */
    void sendProbe() {
        connection.emit(sndUna - 1, TcpSegment.ACK, 0);
    }

    private void retransmitFirst() {
        int n = Math.min(buffer.size(), sndMss);
        if (sackOk) {
            n = Math.min(n, scoreboard.nextSacked(sndUna, sndMax) - sndUna);
        }
        if (n > 0) {
            resend(sndUna, n);
        } else if (finQueued && !finAcked) {
            timer.onRetransmit();
            connection.emit(finSeq, TcpSegment.FIN | TcpSegment.ACK, 0);
        }
    }

    private void resend(int seq, int n) {
        timer.onRetransmit();
        buffer.copy(seq - sndUna, scratch, 0, n);
        connection.emit(seq, TcpSegment.ACK, n);
        scoreboard.retransmitted(seq, n);
    }

    private void advance(int n) {
        sndNxt += n;
        if (gt(sndNxt, sndMax)) {
            sndMax = sndNxt;
        }
    }

    private int dataStart() {
        return synAcked ? sndUna : iss + 1;
    }

    private int unsentBytes() {
        return buffer.size() - (sndNxt - dataStart());
    }

    private boolean finPending() {
        return finQueued && !finAcked && sndNxt == finSeq;
    }

    /** Counts one more expiry without progress; RFC 9293 §3.8.3 R2 gives up past a limit. */
    int countRetry() {
        return ++retries;
    }

    boolean retransmissionDue(long now) {
        return timer.expired(now);
    }

    boolean persistDue(long now) {
        return persist.due(now);
    }

    long nextDeadlineNanos() {
        long next = timer.armed() ? timer.deadlineNanos() : Long.MAX_VALUE;
        return Math.min(next, persist.deadlineNanos());
    }

    void stopTimers() {
        timer.stop();
        persist.stop();
    }

    /** Nothing in flight and no zero window being probed: the connection is idle. */
    boolean idle() {
        return sndUna == sndMax && persist.deadlineNanos() == Long.MAX_VALUE;
    }

    int sndUna() {
        return sndUna;
    }

    int sndNxt() {
        return sndNxt;
    }

    int sndMax() {
        return sndMax;
    }

    int sndWnd() {
        return sndWnd;
    }

    int sndScale() {
        return sndScale;
    }

    int sndMss() {
        return sndMss;
    }

    int flightSize() {
        return sndMax - sndUna;
    }

    boolean finQueued() {
        return finQueued;
    }

    boolean finAcked() {
        return finAcked;
    }

    int unacknowledged() {
        return buffer.size();
    }

    int writable() {
        return finQueued ? 0 : buffer.free();
    }

    CongestionControl congestionControl() {
        return cc;
    }

    RetransmissionTimer timer() {
        return timer;
    }
}
