package dev.switchboard.coordinator;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What each local peer was last shown of its tunnel peers on other replicas (pgcoord's per-connection mapping,
 * {@code enterprise/tailnet/pgcoord.go}): local peer → remote peer → {@link RemotePeer}. Guarded by the coordinator
 * lock; empty on a single node.
 */
final class RemoteViews {
    private final Map<UUID, Map<UUID, RemotePeer>> views = new HashMap<>();

    Map<UUID, RemotePeer> of(UUID local) {
        return views.getOrDefault(local, Map.of());
    }

    void put(UUID local, Map<UUID, RemotePeer> view) {
        if (view.isEmpty()) {
            views.remove(local);
        } else {
            views.put(local, new HashMap<>(view));
        }
    }

    void forget(UUID local) {
        views.remove(local);
    }

    boolean sees(UUID local, UUID other) {
        return of(local).containsKey(other);
    }

    /** After {@code local} removed its tunnel to {@code dst}: true if that tunnel was all that bound them. */
    boolean dropOutbound(UUID local, UUID dst) {
        Map<UUID, RemotePeer> view = views.get(local);
        RemotePeer seen = view == null ? null : view.get(dst);
        if (seen == null || seen.inbound()) {
            return false;
        }
        view.remove(dst);
        return true;
    }

    /** Adds the local peers whose view contains {@code other} to {@code out}. */
    void localsSeeing(UUID other, Set<UUID> out) {
        views.forEach((local, view) -> {
            if (view.containsKey(other)) {
                out.add(local);
            }
        });
    }

    boolean announced(com.google.protobuf.ByteString nodeKey) {
        return views.values().stream().flatMap(view -> view.values().stream())
                .anyMatch(seen -> nodeKey.equals(seen.node().getKey()));
    }
}
