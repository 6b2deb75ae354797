package dev.switchboard.tailnet.tcp;

/**
 * NewReno (RFC 5681 with RFC 6582 fast recovery, in {@link FastRecovery}): halve on loss,
 * ssthresh = max(FlightSize / 2, 2 * SMSS) (RFC 5681 §3.1 eq. 4), and in congestion avoidance
 * grow one SMSS per window of acknowledged bytes, RFC 5681 §3.1's byte-counting variant that
 * does not reward receivers for splitting ACKs. Owned by the connection's event loop.
 */
public final class NewReno extends FastRecovery {
    // owned by the connection's event loop
    private long bytesAckedInAvoidance;

    public NewReno(int smss) {
        super(smss);
    }

    @Override
    protected int ssthreshAfterLoss(int flightSize, long nowNanos) {
        bytesAckedInAvoidance = 0;
        return Math.max(flightSize / 2, 2 * smss);
    }

    @Override
    protected void congestionAvoidance(int bytesAcked, long nowNanos, long srttNanos) {
        bytesAckedInAvoidance += bytesAcked;
        if (bytesAckedInAvoidance >= (long) cwnd) {
            bytesAckedInAvoidance -= (long) cwnd;
            cwnd += smss;
        }
    }
}
