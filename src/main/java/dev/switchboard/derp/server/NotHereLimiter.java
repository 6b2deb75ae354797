package dev.switchboard.derp.server;

/** Token bucket for PeerGone(NotHere) replies: 1 per second, burst 3, per sender connection. Event-loop confined. */
final class NotHereLimiter {
    private static final long NANOS_PER_TOKEN = 1_000_000_000L;
    private static final int BURST = 3;

    private double tokens = BURST;
    private long lastNanos = Long.MIN_VALUE;

    boolean tryAcquire(long nowNanos) {
        if (lastNanos != Long.MIN_VALUE) {
            tokens = Math.min(BURST, tokens + (double) (nowNanos - lastNanos) / NANOS_PER_TOKEN);
        }
        lastNanos = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
