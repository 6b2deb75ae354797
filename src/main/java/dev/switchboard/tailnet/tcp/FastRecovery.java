package dev.switchboard.tailnet.tcp;

/**
 * What RFC 5681 and its NewReno update RFC 6582 prescribe for every window-based sender: slow
 * start (RFC 5681 §3.1 eq. 2), fast retransmit on the third duplicate ACK and fast recovery with
 * window inflation (§3.2), NewReno's partial-ACK retransmission and the {@code recover} guard
 * against a second reduction for one loss episode (RFC 6582 §3.2), and the collapse to one
 * segment on a retransmission timeout (RFC 5681 §3.1 eq. 4, "loss window"). Subclasses supply
 * the reduction factor and congestion-avoidance growth. cwnd is a double so that sub-byte
 * per-ACK increments (CUBIC's) accumulate instead of truncating. Owned by the connection's event loop.
 */
public abstract class FastRecovery implements CongestionControl {
    /** RFC 5681 §3.2: fast retransmit after three duplicate ACKs. */
    static final int DUP_ACK_THRESHOLD = 3;

    protected final int smss;
    // owned by the connection's event loop
    protected double cwnd;
    protected int ssthresh = Integer.MAX_VALUE; // RFC 5681 §3.1: "arbitrarily high"
    private int duplicateAcks;
    private boolean inRecovery;
    private boolean recoverValid;
    private int recover;

    protected FastRecovery(int smss) {
        if (smss <= 0) {
            throw new IllegalArgumentException("SMSS must be positive");
        }
        this.smss = smss;
        this.cwnd = CongestionControl.initialWindow(smss);
    }

    /** The new ssthresh for a loss seen with {@code flightSize} outstanding, at least 2 SMSS. */
    protected abstract int ssthreshAfterLoss(int flightSize, long nowNanos);

    /** Window growth at or above ssthresh for {@code bytesAcked} newly acknowledged bytes. */
    protected abstract void congestionAvoidance(int bytesAcked, long nowNanos, long srttNanos);

    /** Called after a retransmission timeout reset the window, for algorithm-specific state. */
    protected void afterTimeout(long nowNanos) {
    }

    @Override
    public int cwnd() {
        return (int) cwnd;
    }

    @Override
    public int ssthresh() {
        return ssthresh;
    }

    @Override
    public boolean inFastRecovery() {
        return inRecovery;
    }

    public int smss() {
        return smss;
    }

    @Override
    public boolean onAck(int ack, int bytesAcked, int flightSize, long nowNanos, long srttNanos) {
        duplicateAcks = 0;
        if (inRecovery) {
            if (SeqNum.ge(ack, recover)) {
                // RFC 6582 §3.2 step 3, full ACK: deflate to min(ssthresh, max(FlightSize, SMSS) + SMSS)
                cwnd = Math.min(ssthresh, Math.max(flightSize, smss) + smss);
                inRecovery = false;
                return false;
            }
            // partial ACK: deflate by the amount acknowledged, add back one SMSS if that was at
            // least one SMSS, and retransmit the next hole at once
            cwnd = Math.max(cwnd - bytesAcked + (bytesAcked >= smss ? smss : 0), smss);
            return true;
        }
        if (cwnd < ssthresh) {
            cwnd += Math.min(bytesAcked, smss); // RFC 5681 §3.1 eq. 2
        } else {
            congestionAvoidance(bytesAcked, nowNanos, srttNanos);
        }
        return false;
    }

    @Override
    public boolean onDuplicateAck(int ack, int flightSize, int sndNxt, long nowNanos) {
        if (inRecovery) {
            cwnd += smss; // RFC 5681 §3.2 step 4: each further duplicate means a segment left the network
            return false;
        }
        if (++duplicateAcks != DUP_ACK_THRESHOLD) {
            return false;
        }
        // RFC 6582 §3.2 step 2: duplicates that do not cover more than "recover" belong to a loss
        // episode already handled (or to its retransmissions); reducing again would be wrong
        if (recoverValid && !SeqNum.gt(ack, recover)) {
            return false;
        }
        ssthresh = ssthreshAfterLoss(flightSize, nowNanos);
        recover = sndNxt;
        recoverValid = true;
        cwnd = ssthresh + DUP_ACK_THRESHOLD * smss; // step 3: the three segments that left
        inRecovery = true;
        return true;
    }

    @Override
    public void onRetransmissionTimeout(int flightSize, int sndNxt, long nowNanos) {
        ssthresh = ssthreshAfterLoss(flightSize, nowNanos);
        cwnd = smss;
        inRecovery = false;
        duplicateAcks = 0;
        recover = sndNxt; // RFC 6582 §3.2 step 4
        recoverValid = true;
        afterTimeout(nowNanos);
    }
}
