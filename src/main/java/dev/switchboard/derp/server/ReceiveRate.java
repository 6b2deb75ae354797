package dev.switchboard.derp.server;

/**
 * A per-client limit on bytes read from a DERP connection: a token bucket of {@code burstBytes} refilled at
 * {@code bytesPerSecond}. Over budget, the session stops reading for as long as the debt takes to repay, so TCP
 * slows the client down: backpressure, not drops (derper users ask for this to cap one client's share of a relay).
 * Mesh peers are exempt: they carry other relays' traffic. {@code bytesPerSecond == 0} means unlimited.
 */
public record ReceiveRate(long bytesPerSecond, long burstBytes) {
    public static final ReceiveRate UNLIMITED = new ReceiveRate(0, 0);

    public ReceiveRate {
        if (bytesPerSecond < 0 || burstBytes < 0) {
            throw new IllegalArgumentException("negative receive rate or burst");
        }
    }

    public boolean limited() {
        return bytesPerSecond > 0;
    }

    /** The bucket of one connection; owned by that connection's event loop. */
    Bucket bucket(long nowNanos) {
        return new Bucket(nowNanos);
    }

    final class Bucket {
        private double tokens;
        private long lastNanos;

        private Bucket(long nowNanos) {
            this.tokens = Math.max(burstBytes, 1);
            this.lastNanos = nowNanos;
        }

        /** Takes {@code bytes} that were just read; returns how long to pause reading (0 while within budget). */
        long take(int bytes, long nowNanos) {
            tokens = Math.min(Math.max(burstBytes, 1), tokens + (nowNanos - lastNanos) * bytesPerSecond / 1e9);
            lastNanos = nowNanos;
            tokens -= bytes;
            return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * 1e9 / bytesPerSecond);
        }
    }
}
