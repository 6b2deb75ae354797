package dev.switchboard.tailnet.tcp;

/**
 * CUBIC (RFC 9438): after a loss the window follows W_cubic(t) = C * (t − K)^3 + W_max
 * (§4.2 eq. 1), concave up to the W_max where the loss happened and convex beyond it, never
 * slower than the Reno-friendly estimate W_est (§4.3). Loss shrinks by β_cubic = 0.7 (§4.6) with
 * fast convergence (§4.7); a timeout restarts with K = 0 (§4.8). Windows in the formulas are in
 * segments and t in seconds, as in the RFC; cwnd itself is bytes. Fast retransmit, NewReno
 * recovery and slow start come from {@link FastRecovery}. Owned by the connection's event loop.
 */
public final class Cubic extends FastRecovery {
    /** RFC 9438 §5: C = 0.4 segments per second cubed. */
    static final double C = 0.4;
    /** RFC 9438 §4.6: multiplicative decrease factor. */
    static final double BETA = 0.7;
    /** RFC 9438 §4.3: Reno-friendly additive increase, 3 * (1 − β) / (1 + β). */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    private final boolean fastConvergence;
    // owned by the connection's event loop; windows in segments
    private double wMax;
    private double k;
    private long epochStart = -1;
    private double cwndEpoch;
    private double cwndPrior;
    private double wEst;
    private boolean afterTimeout;

    public Cubic(int smss) {
        this(smss, true);
    }

    public Cubic(int smss, boolean fastConvergence) {
        super(smss);
        this.fastConvergence = fastConvergence;
    }

    @Override
    protected int ssthreshAfterLoss(int flightSize, long nowNanos) {
        double segments = cwnd / smss;
        // §4.7: a loss below the previous W_max means competing flows; release bandwidth sooner
        wMax = fastConvergence && segments < wMax ? segments * (1 + BETA) / 2 : segments;
        cwndPrior = segments;
        epochStart = -1;
        return Math.max((int) (flightSize * BETA), 2 * smss);
    }

    @Override
    protected void afterTimeout(long nowNanos) {
        afterTimeout = true;
    }

    @Override
    protected void congestionAvoidance(int bytesAcked, long nowNanos, long srttNanos) {
        double w = cwnd / smss;
        if (epochStart < 0) {
            startEpoch(w, nowNanos);
        }
        double t = (nowNanos - epochStart) / 1e9;
        double rtt = srttNanos / 1e9;
        double segmentsAcked = (double) bytesAcked / smss;
        // §4.3: Reno's growth with α_cubic, until W_est passes the window before the loss
        wEst += (wEst >= cwndPrior ? 1.0 : ALPHA) * segmentsAcked / w;
        if (wCubic(t) < wEst) {
            cwnd = Math.max(cwnd, wEst * smss); // §4.3 Reno-friendly region
            return;
        }
        // §4.2: aim for W_cubic one RTT ahead, bounded to [cwnd, 1.5 cwnd], spread over a window of ACKs
        double target = Math.min(Math.max(wCubic(t + rtt), w), 1.5 * w);
        cwnd += (target - w) / w * segmentsAcked * smss;
    }

    private void startEpoch(double w, long nowNanos) {
        epochStart = nowNanos;
        cwndEpoch = w;
        wEst = w;
        if (afterTimeout || w >= wMax) {
            // §4.8 after a timeout (and after slow start past W_max): K = 0, W_max = cwnd_epoch
            wMax = w;
            k = 0;
            afterTimeout = false;
        } else {
            k = Math.cbrt((wMax - cwndEpoch) / C); // §4.2 eq. 2
        }
    }

    /** W_cubic(t) of RFC 9438 §4.2 eq. 1, in segments. */
    double wCubic(double seconds) {
        double d = seconds - k;
        return C * d * d * d + wMax;
    }

    /** W_max in segments, the window where the last loss happened. */
    double wMax() {
        return wMax;
    }

    /** K in seconds: the time the cubic takes to climb back to W_max. */
    double k() {
        return k;
    }
}
