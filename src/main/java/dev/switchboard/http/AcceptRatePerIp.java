package dev.switchboard.http;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * CODER_HTTP_ACCEPT_RATE_PER_IP: how fast one source may open TCP connections to the public listeners, a token bucket
 * per source of {@code burst} connections refilled at {@code perSecond}. An IPv6 source is its /64: one host holds a
 * whole /64 (RFC 4291 §2.5.4 interface identifiers, SLAAC), so a per-address bucket would not limit it at all.
 *
 * <p>Memory is bounded: at most {@code maxTracked} sources, the least recently seen forgotten first. A forgotten
 * source starts again with a full bucket, which only an attacker holding more than {@code maxTracked} sources gains
 * from, and then each of them is still limited. Called from the listeners' accepting event loops; guarded by this
 * (one short critical section per accepted connection, never per byte).
 */
final class AcceptRatePerIp {
    private final double perNano;
    private final double burst;
    private final LongSupplier nanoClock;
    private final Map<ByteBuffer, Bucket> buckets; // guarded by this

    /**
     * @param perSecond  connections per second one source may sustain; must be positive
     * @param burst      connections one source may open at once; 0 for one second's worth
     * @param maxTracked sources remembered at once
     */
    AcceptRatePerIp(long perSecond, long burst, int maxTracked, LongSupplier nanoClock) {
        if (perSecond <= 0 || burst < 0 || maxTracked <= 0) {
            throw new IllegalArgumentException("accept rate " + perSecond + "/s, burst " + burst);
        }
        this.perNano = perSecond / 1e9;
        this.burst = burst == 0 ? perSecond : burst;
        this.nanoClock = nanoClock;
        this.buckets = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Bucket> eldest) {
                return size() > maxTracked;
            }
        };
    }

    /** Takes one connection from {@code source}'s budget; false when it has none left. */
    synchronized boolean admit(InetAddress source) {
        long now = nanoClock.getAsLong();
        Bucket bucket = buckets.computeIfAbsent(key(source), k -> new Bucket(burst, now));
        bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.refilledAt) * perNano);
        bucket.refilledAt = now;
        if (bucket.tokens < 1) {
            return false;
        }
        bucket.tokens -= 1;
        return true;
    }

    /** One source's budget; guarded by the enclosing instance. */
    private static final class Bucket {
        double tokens;
        long refilledAt;

        Bucket(double tokens, long refilledAt) {
            this.tokens = tokens;
            this.refilledAt = refilledAt;
        }
    }

    synchronized int tracked() {
        return buckets.size();
    }

    private static ByteBuffer key(InetAddress source) {
        byte[] address = source.getAddress();
        return ByteBuffer.wrap(address, 0, source instanceof Inet6Address ? 8 : address.length).slice();
    }
}
