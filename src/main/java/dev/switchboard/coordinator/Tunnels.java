package dev.switchboard.coordinator;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * The tunnels local peers opened, indexed both ways (Coder's {@code tailnet/coordinator.go} tunnelStore):
 * directional for authorization, symmetric for node exchange. Guarded by the coordinator lock.
 */
final class Tunnels {
    private final Map<UUID, Set<UUID>> bySrc = new HashMap<>();
    private final Map<UUID, Set<UUID>> byDst = new HashMap<>();

    void add(UUID src, UUID dst) {
        bySrc.computeIfAbsent(src, k -> new LinkedHashSet<>()).add(dst);
        byDst.computeIfAbsent(dst, k -> new LinkedHashSet<>()).add(src);
    }

    void remove(UUID src, UUID dst) {
        Set<UUID> dsts = bySrc.get(src);
        if (dsts != null && dsts.remove(dst) && dsts.isEmpty()) {
            bySrc.remove(src);
        }
        Set<UUID> srcs = byDst.get(dst);
        if (srcs != null && srcs.remove(src) && srcs.isEmpty()) {
            byDst.remove(dst);
        }
    }

    /** Deletes every tunnel {@code src} opened. */
    void removeFrom(UUID src) {
        for (UUID dst : List.copyOf(bySrc.getOrDefault(src, Set.of()))) {
            remove(src, dst);
        }
    }

    /** The destinations of the tunnels {@code src} opened (a copy). */
    Set<UUID> from(UUID src) {
        return Set.copyOf(bySrc.getOrDefault(src, Set.of()));
    }

    boolean has(UUID src, UUID dst) {
        return bySrc.getOrDefault(src, Set.of()).contains(dst);
    }

    /** Tunnel peers of {@code id}: destinations of its tunnels and sources of tunnels to it. */
    Set<UUID> peersOf(UUID id) {
        Set<UUID> out = new LinkedHashSet<>(bySrc.getOrDefault(id, Set.of()));
        out.addAll(byDst.getOrDefault(id, Set.of()));
        out.remove(id);
        return out;
    }

    int count() {
        return bySrc.values().stream().mapToInt(Set::size).sum();
    }

    void forEach(BiConsumer<UUID, UUID> tunnel) {
        bySrc.forEach((src, dsts) -> dsts.forEach(dst -> tunnel.accept(src, dst)));
    }
}
