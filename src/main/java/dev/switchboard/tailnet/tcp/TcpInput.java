package dev.switchboard.tailnet.tcp;

import static dev.switchboard.tailnet.tcp.SeqNum.gt;
import static dev.switchboard.tailnet.tcp.SeqNum.inWindow;
import static dev.switchboard.tailnet.tcp.SeqNum.le;
import static dev.switchboard.tailnet.tcp.SeqNum.lt;

/**
 * SEGMENT ARRIVES (RFC 9293 §3.10.7) for the LISTEN, SYN_SENT and synchronized states, step by
 * step in the RFC's order: sequence check, RST, SYN, ACK, text, FIN. Kept apart from
 * {@link TcpConnection} so each reads against its section of the RFC; runs on the connection's
 * event loop and mutates only that connection.
 */
final class TcpInput {
    private TcpInput() {
    }

    /** RFC 9293 §3.10.7.2. */
    static void listen(TcpConnection c, TcpSegment seg) {
        if (seg.has(TcpSegment.RST)) {
            return;
        }
        if (seg.has(TcpSegment.ACK)) {
            c.sendReset(seg.ack()); // <SEQ=SEG.ACK><CTL=RST>
            return;
        }
        if (seg.has(TcpSegment.SYN)) {
            c.acceptSyn(seg);
            c.synReceived();
        }
    }

    /** RFC 9293 §3.10.7.3. */
    static void synSent(TcpConnection c, TcpSegment seg, long now) {
        boolean ackAcceptable = false;
        int ack = seg.ack();
        if (seg.has(TcpSegment.ACK)) {
            if (le(ack, c.iss()) || gt(ack, c.sndMax())) {
                if (!seg.has(TcpSegment.RST)) {
                    c.sendReset(ack);
                }
                return;
            }
            ackAcceptable = true;
        }
        if (seg.has(TcpSegment.RST)) {
            if (ackAcceptable) {
                c.enterClosed(TcpConnection.Error.REFUSED); // "connection reset"
            }
            return;
        }
        if (!seg.has(TcpSegment.SYN)) {
            return;
        }
        c.acceptSyn(seg);
        if (ackAcceptable) {
            c.established(ack, seg, now);
            if (!c.output()) {
                c.sendAck();
            }
        } else {
            c.synReceived(); // §3.10.7.3: SYN without ACK (simultaneous open), enter SYN_RECEIVED
        }
    }

    /** RFC 9293 §3.10.7.4: SYN_RECEIVED and every state after it. */
    static void synchronizedInput(TcpConnection c, TcpSegment seg, long now) {
        ReassemblyQueue queue = c.receiveQueue();
        int seq = seg.seq();
        int len = seg.segmentLength();
        if (c.timestamps().pawsRejects(seg)) {
            c.sendAck(); // RFC 7323 §5.3 R1: not acceptable, ACK and drop
            return;
        }
        if (!acceptable(seq, len, c.rcvNxt(), queue.window())) {
            if (!seg.has(TcpSegment.RST)) {
                if (c.state() == TcpState.SYN_RECEIVED && seg.has(TcpSegment.SYN) && !seg.has(TcpSegment.ACK)) {
                    c.resendSynAck();
                    return;
                }
                if (c.state() == TcpState.TIME_WAIT && seg.has(TcpSegment.FIN)) {
                    c.enterTimeWait(now); // a retransmitted FIN restarts the 2 MSL wait (eighth step)
                }
                c.sendAck(); // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
            }
            return;
        }
        c.timestamps().update(seg);

        if (seg.has(TcpSegment.RST)) {
            onReset(c, seq);
            return;
        }
        if (seg.has(TcpSegment.SYN)) {
            c.sendAck(); // RFC 5961 §4 challenge ACK: a genuine peer restart will answer with RST
            return;
        }
        if (!seg.has(TcpSegment.ACK)) {
            return;
        }
        int ack = seg.ack();
        TcpSender sender = c.sender();
        if (c.state() == TcpState.SYN_RECEIVED) {
            if (lt(sender.sndUna(), ack) && le(ack, sender.sndMax())) {
                c.established(ack, seg, now);
            } else {
                c.sendReset(ack);
                return;
            }
        } else {
            if (!sender.onAck(seg, ack, now, c.timestamps().rttNanos(seg, now))) {
                c.sendAck(); // acknowledges something not yet sent
                return;
            }
            if (sender.finAcked()) {
                switch (c.state()) {
                    case FIN_WAIT_1 -> c.setState(TcpState.FIN_WAIT_2);
                    case CLOSING -> c.enterTimeWait(now);
                    case LAST_ACK -> {
                        c.enterClosed(TcpConnection.Error.NONE);
                        return;
                    }
                    default -> {
                    }
                }
            }
        }

        boolean ackNeeded = false;
        boolean immediate = false;
        if (seg.payloadLength() > 0 && c.state().receivesData()) {
            boolean holes = queue.outOfOrderRanges() > 0;
            int advanced = queue.offer(seq, seg.bytes(), seg.payloadOffset(), seg.payloadLength());
            ackNeeded = true;
            // RFC 5681 §4.2: out-of-order data (ACKed with SACK blocks), data that fills a hole and
            // data that found no room (the ACK re-advertises the window) are ACKed at once
            immediate = advanced == 0 || holes;
        }
        if (seg.has(TcpSegment.FIN)) {
            c.onPeerFin(seq + seg.payloadLength());
            ackNeeded = true;
            immediate = true;
        }
        if (c.consumeFinIfReady()) {
            switch (c.state()) {
                case SYN_RECEIVED, ESTABLISHED -> c.setState(TcpState.CLOSE_WAIT);
                case FIN_WAIT_1 -> {
                    if (sender.finAcked()) {
                        c.enterTimeWait(now);
                    } else {
                        c.setState(TcpState.CLOSING);
                    }
                }
                case FIN_WAIT_2 -> c.enterTimeWait(now);
                default -> {
                }
            }
        }
        if (ackNeeded) {
            c.acknowledgeData(immediate, now);
        } else {
            c.output();
        }
    }

    /**
     * RFC 9293 §3.10.7.4 first step: the four cases of segment acceptability, with its "special
     * allowance" for a zero window: a segment exactly at RCV.NXT is let through so its ACK, RST
     * and window are processed; its text finds no room in the {@link ReassemblyQueue} and is
     * dropped there, and the ACK sent for it re-advertises the window.
     */
    static boolean acceptable(int seq, int len, int rcvNxt, int rcvWnd) {
        if (rcvWnd == 0) {
            return seq == rcvNxt;
        }
        int edge = rcvNxt + rcvWnd;
        if (len == 0) {
            return inWindow(rcvNxt, seq, edge);
        }
        return inWindow(rcvNxt, seq, edge) || inWindow(rcvNxt, seq + len - 1, edge);
    }

    /**
     * RFC 9293 §3.10.7.4 second step with RFC 5961 §3.2: only a RST exactly at RCV.NXT resets;
     * one elsewhere in the window gets a challenge ACK, so a blind attacker must guess exactly.
     */
    private static void onReset(TcpConnection c, int seq) {
        if (seq != c.rcvNxt()) {
            c.sendAck();
            return;
        }
        switch (c.state()) {
            // RFC 9293 returns a passive SYN_RECEIVED to LISTEN; here the listener is a separate
            // object that spawned this connection for one SYN and keeps listening, so this one closes
            case SYN_RECEIVED -> c.enterClosed(c.passive() ? TcpConnection.Error.RESET : TcpConnection.Error.REFUSED);
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> c.enterClosed(TcpConnection.Error.RESET);
            default -> c.enterClosed(TcpConnection.Error.NONE); // CLOSING, LAST_ACK, TIME_WAIT
        }
    }
}
