package dev.switchboard.tailnet.tcp;

/**
 * The reset sent for a segment that belongs to no connection (RFC 9293 §3.10.7.1, "If the state
 * is CLOSED"): nothing for an incoming RST; {@code <SEQ=SEG.ACK><CTL=RST>} for a segment with
 * ACK; otherwise {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>}. Used by a CLOSED connection
 * and by the stack for segments to unknown 4-tuples.
 */
public final class TcpReset {
    private static final byte[] NO_DATA = new byte[0];

    private TcpReset() {
    }

    /** Sends the reset for {@code seg} to {@code sink}; false when none is due (a RST). */
    public static boolean reply(TcpSegment seg, SegmentSink sink) {
        if (seg.has(TcpSegment.RST)) {
            return false;
        }
        if (seg.has(TcpSegment.ACK)) {
            sink.send(seg.ack(), 0, TcpSegment.RST, 0, null, NO_DATA, 0, 0);
        } else {
            sink.send(0, seg.seq() + seg.segmentLength(), TcpSegment.RST | TcpSegment.ACK, 0, null, NO_DATA, 0, 0);
        }
        return true;
    }
}
