package dev.switchboard.derp.server;

/**
 * Token bucket for PeerGone(NotHere) replies, per sender connection. The rate is derper's
 * {@code peerGoneLim: rate.NewLimiter(rate.Every(time.Second), 3)} (Tailscale's `derp/derp_server.go`).
 *
 * <p>Threading: confined to the sending session's event loop; the caller passes the time from the server's clock.
 */
final class NotHereLimiter {
    /** One token per second: derper's {@code rate.Every(time.Second)}. */
    static final long NANOS_PER_TOKEN = 1_000_000_000L;
    /** Burst of three: the {@code 3} of derper's {@code rate.NewLimiter}. */
    static final int BURST = 3;

    // Owned by the session's event loop.
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
