package dev.switchboard.tailnet.tcp;

import static dev.switchboard.tailnet.tcp.SeqNum.gt;

/**
 * When a segment below SMSS may leave while data is in flight: never while more is buffered
 * (sender SWS avoidance, RFC 9293 §3.8.6.2.1), and for the buffer's tail under Nagle (RFC 896,
 * RFC 9293 §3.7.4) in Minshall's form as Linux runs it (tcp_nagle_check, tcp_minshall_check):
 * only while an earlier small segment is unacknowledged, and never when a FIN follows it.
 * {@code noDelay} is TCP_NODELAY. Owned by the connection's event loop.
 */
final class SmallSegments {
    // owned by the connection's event loop
    private boolean noDelay;
    private int smallEnd;

    SmallSegments(boolean noDelay) {
        this.noDelay = noDelay;
    }

    void setNoDelay(boolean on) {
        noDelay = on;
    }

    /** The send space starts at {@code sndUna}: no small segment is outstanding. */
    void start(int sndUna) {
        smallEnd = sndUna;
    }

    /** A new segment [seq, seq + n) went out. */
    void sent(int seq, int n, int smss) {
        if (n < smss) {
            smallEnd = seq + n;
        }
    }

    /** Whether {@code n} of {@code unsent} bytes wait, with SND.NXT ≠ SND.UNA meaning data in flight. */
    boolean hold(int n, int unsent, int smss, int sndNxt, int sndUna, boolean finQueued) {
        if (n >= smss || sndNxt == sndUna) {
            return false;
        }
        return n < unsent || !(noDelay || finQueued || !gt(smallEnd, sndUna));
    }
}
