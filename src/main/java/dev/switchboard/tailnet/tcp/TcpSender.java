package dev.switchboard.tailnet.tcp;

import static dev.switchboard.tailnet.tcp.SeqNum.ge;
import static dev.switchboard.tailnet.tcp.SeqNum.gt;
import static dev.switchboard.tailnet.tcp.SeqNum.le;
import static dev.switchboard.tailnet.tcp.SeqNum.lt;

/**
 * The send half of a {@link TcpConnection}: the send sequence space of RFC 9293 §3.3.1 (SND.UNA,
 * SND.NXT, SND.WND, SND.WL1, SND.WL2) plus SND.MAX, the highest sequence number ever sent, since a
 * retransmission timeout rewinds SND.NXT to SND.UNA (go-back-N under the collapsed window of
 * RFC 5681 §3.1) while ACKs up to SND.MAX stay acceptable. Owns the send buffer, our FIN, the
 * {@link RetransmissionTimer}, the {@link CongestionControl} and the persist timer for zero
 * windows (RFC 9293 §3.8.6.1). Segments leave through the connection, which adds ACK, window and
 * options. Owned by the connection's event loop.
 */
final class TcpSender {
    private final TcpConnection connection;
    private final SendBuffer buffer;
    private final RetransmissionTimer timer;
    private final byte[] scratch;
    private final long maxRtoNanos;
    private final int iss;
    // owned by the connection's event loop
    private CongestionControl cc;
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
    private boolean persistArmed;
    private long persistDeadline;
    private int persistBackoffs;
    private int retries;

    TcpSender(TcpConnection connection, int iss, int bufferSize, byte[] scratch, RetransmissionTimer.Config rto) {
        this.connection = connection;
        this.iss = iss;
        this.buffer = new SendBuffer(bufferSize);
        this.scratch = scratch;
        this.timer = new RetransmissionTimer(rto);
        this.maxRtoNanos = rto.maxRtoNanos();
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

    /** What the peer's SYN told us: its MSS (less our per-segment options), window shift and window. */
    void negotiated(int mss, int windowShift, CongestionControl congestionControl, TcpSegment syn) {
        sndMss = mss;
        sndScale = windowShift;
        cc = congestionControl;
        sndWnd = syn.window(); // RFC 7323 §2.2: the window in a SYN is never scaled
        sndWl1 = syn.seq();
        sndWl2 = syn.ack();
    }

    /** The ACK of our SYN (RFC 9293 §3.10.7.3 and §3.10.7.4 fifth step, SYN_RECEIVED). */
    void onSynAcked(int ack, TcpSegment seg, long now, boolean synRetransmitted) {
        synAcked = true;
        sndUna = iss + 1;
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

    /** An ACK in a synchronized state (RFC 9293 §3.10.7.4 fifth step); false if it acks unsent data. */
    boolean onAck(TcpSegment seg, int ack, long now) {
        if (gt(ack, sndMax)) {
            return false;
        }
        boolean sameWindow = (seg.window() << sndScale) == sndWnd;
        if (gt(ack, sndUna)) {
            onNewAck(ack, now);
        } else if (ack == sndUna && seg.payloadLength() == 0 && !seg.has(TcpSegment.FIN) && sameWindow
                && flightSize() > 0) {
            // the RFC 5681 §2 duplicate ACK; the third triggers fast retransmit (§3.2 step 2)
            if (cc.onDuplicateAck(sndUna, flightSize(), sndMax, now)) {
                retransmitFirst();
            }
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
    private void onNewAck(int ack, long now) {
        int acked = ack - sndUna;
        timer.onAck(ack, now);
        int finPart = finQueued && !finAcked && gt(ack, finSeq) ? 1 : 0;
        buffer.ack(acked - finPart);
        finAcked |= finPart == 1;
        sndUna = ack;
        if (lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        persistBackoffs = 0;
        retries = 0;
        boolean partial = cc.onAck(ack, acked, flightSize(), now, timer.srttNanos());
        if (sndUna == sndMax) {
            timer.stop();
        } else {
            timer.arm(now);
        }
        if (partial) {
            retransmitFirst(); // RFC 6582 §3.2 step 3: the next hole, at once
        }
    }

    /**
     * Sends what min(cwnd, SND.WND) allows, then the FIN once all data is out. Sender SWS
     * avoidance (RFC 9293 §3.8.6.2.1): no segment below SMSS while data is in flight, unless it
     * is the last of the buffer. Returns true if anything went out.
     */
    boolean output(long now) {
        boolean any = false;
        while (true) {
            int sent = sndNxt - dataStart();
            int unsent = buffer.size() - sent;
            int room = Math.min(cc.cwnd(), sndWnd) - (sndNxt - sndUna);
            if (unsent > 0) {
                int n = Math.min(Math.min(unsent, sndMss), room);
                if (n <= 0 || (n < sndMss && n < unsent && sndNxt != sndUna)) {
                    break;
                }
                buffer.copy(sent, scratch, 0, n);
                boolean fresh = ge(sndNxt, sndMax);
                connection.emit(sndNxt, TcpSegment.ACK | (n == unsent ? TcpSegment.PSH : 0), n);
                if (fresh) {
                    timer.startTiming(sndNxt + n, now); // never time a retransmission (Karn)
                }
                advance(n);
            } else if (finQueued && !finAcked && sndNxt == finSeq) {
                connection.emit(sndNxt, TcpSegment.FIN | TcpSegment.ACK, 0);
                advance(1);
            } else {
                break;
            }
            any = true;
            timer.armIfIdle(now); // RFC 6298 §5.1
        }
        boolean unsentData = buffer.size() > sndNxt - dataStart();
        if (sndWnd == 0 && unsentData && sndUna == sndMax) {
            if (!persistArmed) {
                armPersist(now);
            }
        } else {
            persistArmed = false;
        }
        return any;
    }

    /**
     * RTO in a synchronized state (RFC 6298 §5.4–§5.6, RFC 5681 §3.1 eq. 4): back off, collapse
     * the window to one segment and resend from SND.UNA.
     */
    void onDataTimeout(long now) {
        timer.onTimeout(now);
        timer.onRetransmit();
        cc.onRetransmissionTimeout(flightSize(), sndMax, now);
        sndNxt = sndUna;
        output(now);
    }

    /** RTO during the handshake: back off; the connection resends its SYN. */
    void onSynTimeout(long now) {
        timer.onTimeout(now);
        timer.onRetransmit();
    }

    /**
     * The persist timer fired: a zero-window probe as Linux sends it, an ACK at SND.UNA − 1, an
     * old sequence number the receiver must answer with an ACK carrying its current window.
     */
    void onPersistTimeout(long now) {
        connection.emit(sndUna - 1, TcpSegment.ACK, 0);
        persistBackoffs++;
        armPersist(now);
    }

    private void retransmitFirst() {
        timer.onRetransmit();
        int n = Math.min(buffer.size(), sndMss);
        if (n > 0) {
            buffer.copy(0, scratch, 0, n);
            connection.emit(sndUna, TcpSegment.ACK, n);
        } else if (finQueued && !finAcked) {
            connection.emit(finSeq, TcpSegment.FIN | TcpSegment.ACK, 0);
        }
    }

    private void armPersist(long now) {
        long interval = Math.min(timer.rtoNanos() << Math.min(persistBackoffs, 20), maxRtoNanos);
        persistArmed = true;
        persistDeadline = now + interval;
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

    /** Counts one more expiry without progress; RFC 9293 §3.8.3 R2 gives up past a limit. */
    int countRetry() {
        return ++retries;
    }

    boolean retransmissionDue(long now) {
        return timer.expired(now);
    }

    boolean persistDue(long now) {
        return persistArmed && now - persistDeadline >= 0;
    }

    long nextDeadlineNanos() {
        long next = timer.armed() ? timer.deadlineNanos() : Long.MAX_VALUE;
        return persistArmed && persistDeadline < next ? persistDeadline : next;
    }

    void stopTimers() {
        timer.stop();
        persistArmed = false;
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
