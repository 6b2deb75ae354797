package dev.switchboard.tailnet.tcp;

/**
 * The persist timer of RFC 9293 §3.8.6.1: while the peer advertises a zero window and we have
 * data for it, probe at the RTO, doubling up to the maximum RTO, so a lost window update cannot
 * deadlock the connection. Owned by the connection's event loop.
 */
final class PersistTimer {
    private final long maxNanos;
    // owned by the connection's event loop
    private boolean armed;
    private long deadline;
    private int backoffs;

    PersistTimer(long maxNanos) {
        this.maxNanos = maxNanos;
    }

    /** Starts probing unless already probing. */
    void armIfIdle(long nowNanos, long rtoNanos) {
        if (!armed) {
            arm(nowNanos, rtoNanos);
        }
    }

    /** A probe went out: the next one after a doubled interval. */
    void probed(long nowNanos, long rtoNanos) {
        backoffs++;
        arm(nowNanos, rtoNanos);
    }

    /** New data was acknowledged: the peer is responsive, so the back-off starts over. */
    void progress() {
        backoffs = 0;
    }

    void stop() {
        armed = false;
    }

    boolean due(long nowNanos) {
        return armed && nowNanos - deadline >= 0;
    }

    long deadlineNanos() {
        return armed ? deadline : Long.MAX_VALUE;
    }

    private void arm(long nowNanos, long rtoNanos) {
        armed = true;
        deadline = nowNanos + Math.min(rtoNanos << Math.min(backoffs, 20), maxNanos);
    }
}
