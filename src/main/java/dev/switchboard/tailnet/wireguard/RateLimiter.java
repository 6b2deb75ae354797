package dev.switchboard.tailnet.wireguard;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Per-source token bucket for handshakes under load (wireguard-go {@code ratelimiter/ratelimiter.go}): 20 per second,
 * burst 5; entries idle for more than a second are collected. Bounded: when {@link #MAX_ENTRIES} sources are tracked
 * and none is idle, new sources are refused (a flood from many sources is exactly what this guards against).
 *
 * <p>Owned by the caller's event loop; not thread-safe.
 */
public final class RateLimiter {
    static final long PACKETS_PER_SECOND = 20;
    static final long PACKETS_BURSTABLE = 5;
    static final long GARBAGE_COLLECT_NANOS = 1_000_000_000L;
    static final long PACKET_COST = 1_000_000_000L / PACKETS_PER_SECOND;
    static final long MAX_TOKENS = PACKET_COST * PACKETS_BURSTABLE;
    public static final int MAX_ENTRIES = 4096;

    private static final class Entry {
        long lastTime;
        long tokens;
    }

    private final Map<String, Entry> table = new HashMap<>();

    /** {@code Allow}: may a handshake from this source (its IP, as a string key) be processed now? */
    public boolean allow(String source, long now) {
        Entry e = table.get(source);
        if (e == null) {
            if (table.size() >= MAX_ENTRIES) {
                collect(now);
                if (table.size() >= MAX_ENTRIES) {
                    return false;
                }
            }
            e = new Entry();
            e.tokens = MAX_TOKENS - PACKET_COST;
            e.lastTime = now;
            table.put(source, e);
            return true;
        }
        e.tokens = Math.min(MAX_TOKENS, e.tokens + (now - e.lastTime));
        e.lastTime = now;
        if (e.tokens > PACKET_COST) {
            e.tokens -= PACKET_COST;
            return true;
        }
        return false;
    }

    /** {@code cleanup}: forget sources idle for more than a second. */
    public void collect(long now) {
        for (Iterator<Entry> it = table.values().iterator(); it.hasNext(); ) {
            if (now - it.next().lastTime > GARBAGE_COLLECT_NANOS) {
                it.remove();
            }
        }
    }

    int size() {
        return table.size();
    }
}
