package dev.switchboard.tailnet.tcp;

/**
 * The delayed-ACK rule of RFC 5681 §4.2 (and RFC 9293 §3.8.6.3): an in-order data segment need
 * not be acknowledged at once, but an ACK goes out for at least every second segment and within
 * {@code delayNanos} of the first unacknowledged one. Out-of-order segments, segments that fill a
 * hole and FINs are acknowledged at once (the caller decides that). Any segment we send carries
 * the ACK and so cancels the pending one. Owned by the connection's event loop.
 */
final class DelayedAck {
    private final long delayNanos;
    // owned by the connection's event loop
    private int unacknowledgedSegments;
    private boolean armed;
    private long deadline;

    DelayedAck(long delayNanos) {
        this.delayNanos = delayNanos;
    }

    /** An in-order data segment arrived; true if it must be acknowledged now. */
    boolean onSegment(long nowNanos) {
        if (delayNanos == 0 || ++unacknowledgedSegments >= 2) {
            return true;
        }
        if (!armed) {
            armed = true;
            deadline = nowNanos + delayNanos;
        }
        return false;
    }

    /** An ACK went out, on its own or on data. */
    void cancel() {
        unacknowledgedSegments = 0;
        armed = false;
    }

    boolean due(long nowNanos) {
        return armed && nowNanos - deadline >= 0;
    }

    long deadlineNanos() {
        return armed ? deadline : Long.MAX_VALUE;
    }
}
