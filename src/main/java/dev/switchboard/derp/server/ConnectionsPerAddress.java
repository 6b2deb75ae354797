package dev.switchboard.derp.server;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most {@code max} concurrent DERP connections per source IP ({@code 0}: no limit), so one address cannot take
 * every descriptor of a public relay. Any thread: acquire on the upgrading loop, release on the session's loop; the
 * map holds only addresses with connections, so it is bounded by the connections themselves.
 */
final class ConnectionsPerAddress {
    private final int max;
    private final ConcurrentHashMap<InetAddress, Integer> counts = new ConcurrentHashMap<>();

    ConnectionsPerAddress(int max) {
        this.max = max;
    }

    /** Takes a slot for {@code address}; false when it already has {@code max}. */
    boolean tryAcquire(InetAddress address) {
        if (max <= 0 || address == null) {
            return true;
        }
        boolean[] acquired = {false};
        counts.compute(address, (a, n) -> {
            int current = n == null ? 0 : n;
            acquired[0] = current < max;
            return acquired[0] ? current + 1 : current;
        });
        return acquired[0];
    }

    void release(InetAddress address) {
        if (max <= 0 || address == null) {
            return;
        }
        counts.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    int tracked() {
        return counts.size();
    }
}
