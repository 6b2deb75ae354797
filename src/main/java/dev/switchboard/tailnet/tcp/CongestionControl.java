package dev.switchboard.tailnet.tcp;

/**
 * A sender's congestion window (RFC 5681 §3). The connection reports ACK events; the algorithm
 * owns cwnd and ssthresh and says when to retransmit. Implementations share fast retransmit and
 * NewReno fast recovery ({@link FastRecovery}: RFC 5681 §3.2, RFC 6582) and differ in how the
 * window grows and how much it shrinks: {@link NewReno} (RFC 5681) and {@link Cubic} (RFC 9438).
 * Called only from the connection's event loop; times are nanoseconds from its injected clock.
 */
public interface CongestionControl {
    /** cwnd in bytes: the sender may have at most min(cwnd, rwnd) bytes in flight. */
    int cwnd();

    /** ssthresh in bytes: slow start below it, congestion avoidance at or above (RFC 5681 §3.1). */
    int ssthresh();

    boolean inFastRecovery();

    /**
     * A cumulative ACK {@code ack} advanced SND.UNA by {@code bytesAcked}; {@code flightSize} is
     * what remains outstanding after it and {@code srttNanos} the smoothed RTT (0 if none yet).
     * Returns true for an RFC 6582 partial ACK: retransmit the first unacknowledged segment now.
     */
    boolean onAck(int ack, int bytesAcked, int flightSize, long nowNanos, long srttNanos);

    /**
     * A duplicate ACK as RFC 5681 §2 defines it, acknowledging {@code ack} (= SND.UNA) with
     * {@code flightSize} outstanding and SND.NXT at {@code sndNxt}. Returns true when this is the
     * third, and fast retransmit of the segment at SND.UNA is due (RFC 5681 §3.2 step 2).
     */
    boolean onDuplicateAck(int ack, int flightSize, int sndNxt, long nowNanos);

    /** The retransmission timer expired (RFC 5681 §3.1 eq. 4, RFC 6582 §3.2 step 4). */
    void onRetransmissionTimeout(int flightSize, int sndNxt, long nowNanos);

    /**
     * RFC 5681 §3.1 initial window for sender MSS {@code smss}: 4, 3 or 2 segments as SMSS is at
     * most 1095, 2190 or larger. At the tailnet's 1220-byte MSS that is 3 segments.
     */
    static int initialWindow(int smss) {
        if (smss > 2190) {
            return 2 * smss;
        }
        return smss > 1095 ? 3 * smss : 4 * smss;
    }
}
