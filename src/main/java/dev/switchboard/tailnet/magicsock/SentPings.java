package dev.switchboard.tailnet.magicsock;

import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One peer's outstanding disco pings by TxID ({@code endpoint.go sentPing}). Tailscale gives each a 5 s timer that
 * deletes it; here expiry is checked against the injected clock whenever the table is touched, which is the same
 * rule ("a pong later than {@code pingTimeoutDuration} is ignored") without timers. Bounded at
 * {@link MagicsockConstants#MAX_SENT_PINGS}: when full, the oldest ping is forgotten, as if its timer had fired.
 * Owned by the magicsock event loop (via its {@link PathEndpoint}); not thread-safe.
 */
final class SentPings {
    private static final long TIMEOUT = MagicsockConstants.PING_TIMEOUT_DURATION.toNanos();

    /** {@code sentPing}: where the ping went, when, and why. */
    record SentPing(InetSocketAddress to, long at, PingPurpose purpose) {
    }

    // Insertion order is send order, and the clock is monotonic, so the eldest entry always expires first.
    private final Map<TxId, SentPing> pings = new LinkedHashMap<>();

    void put(TxId txId, SentPing ping) {
        expire(ping.at());
        if (pings.size() >= MagicsockConstants.MAX_SENT_PINGS) {
            Iterator<TxId> it = pings.keySet().iterator();
            it.next();
            it.remove();
        }
        pings.put(txId, ping);
    }

    /** Removes and returns the ping for {@code txId}, or {@code null} if unknown or timed out. */
    SentPing take(TxId txId, long now) {
        expire(now);
        return pings.remove(txId);
    }

    /** {@code discoPingTimeout}: forget pings that have waited {@code pingTimeoutDuration}. */
    void expire(long now) {
        Iterator<SentPing> it = pings.values().iterator();
        while (it.hasNext()) {
            if (now - it.next().at() < TIMEOUT) {
                return;
            }
            it.remove();
        }
    }

    int size() {
        return pings.size();
    }

    void clear() {
        pings.clear();
    }
}
