package dev.switchboard.tailnet.magicsock;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every packet magicsock throws away, counted by reason: WireGuard's {@code DropReason}s, {@link DiscoDemux}'s and
 * {@link MagicConn}'s own {@link MagicDrop}s. Tailscale keeps such counters as clientmetrics
 * ({@code magicsock.go metricRecvDataPacketsDERP} …); here they are plain counters a status page or test reads.
 *
 * <p>Owned by the magicsock event loop; {@link #snapshot} is a copy for other threads (taken on the loop).
 */
public final class Drops {
    // Owned by the event loop. Keyed by the reason constant itself, so counting allocates only on a reason's first drop.
    private final Map<Enum<?>, long[]> counts = new IdentityHashMap<>();

    public void count(Enum<?> reason) {
        counts.computeIfAbsent(reason, r -> new long[1])[0]++;
    }

    public long get(Enum<?> reason) {
        long[] c = counts.get(reason);
        return c == null ? 0 : c[0];
    }

    /**
     * {@code wireguard.REPLAYED_COUNTER=3}-style names, sorted: {@code magicsock.}, {@code disco.}, else the reason's
     * package ({@code wireguard.}, or the layer above that counts here too).
     */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((r, c) -> out.put(category(r) + "." + r.name(), c[0]));
        return out;
    }

    private static String category(Enum<?> reason) {
        Class<?> type = reason.getDeclaringClass();
        return type == MagicDrop.class ? "magicsock"
                : type == DiscoDemux.DropReason.class ? "disco"
                : type.getPackageName().substring(type.getPackageName().lastIndexOf('.') + 1);
    }
}
