package dev.switchboard.coordinator;

import dev.switchboard.coordinator.proto.CoordinateResponse.PeerUpdate;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The {@link Coordinator}'s side of its {@link Replication}: what the shared state shows of tunnel peers on other
 * replicas comes in here and is applied under the coordinator's lock with its own send rules (duplicate suppression,
 * LOST/DISCONNECTED only after a NODE, eviction), as pgcoord's mapping diff ({@code enterprise/tailnet/pgcoord.go}).
 */
public final class SharedPeers {
    private final Coordinator c;

    SharedPeers(Coordinator coordinator) {
        this.c = coordinator;
    }

    /**
     * Replaces what local peer {@code id} knows of its tunnel peers on other replicas with {@code view} (read from
     * the shared state), sending the differences as pgcoord does: NODE ({@code new}, {@code found} after LOST,
     * {@code update}), LOST, and DISCONNECTED for a peer that left the view. A peer connected here is left to the
     * local rules; an outbound entry counts only while the local tunnel to it still exists.
     */
    public void applyRemote(UUID id, Map<UUID, RemotePeer> view) {
        synchronized (c.lock) {
            Peer peer = c.peers.get(id);
            if (peer == null) {
                return;
            }
            Map<UUID, RemotePeer> accepted = new HashMap<>();
            view.forEach((other, seen) -> {
                if (!c.peers.containsKey(other) && (seen.inbound() || c.tunnels.has(id, other))) {
                    accepted.put(other, seen);
                }
            });
            Map<UUID, RemotePeer> before = c.remote.of(id);
            accepted.forEach((other, seen) -> {
                if (seen.lost()) {
                    c.sendGone(peer, other, PeerUpdate.Kind.LOST, PeerUpdates.LOST);
                } else {
                    RemotePeer previous = before.get(other);
                    c.sendNode(peer, other, seen.node(), peer.sent.containsKey(other) ? PeerUpdates.UPDATE
                            : previous != null && previous.lost() ? PeerUpdates.FOUND : PeerUpdates.NEW);
                }
            });
            for (UUID other : before.keySet()) {
                if (!accepted.containsKey(other) && !c.peers.containsKey(other)) {
                    c.sendGone(peer, other, PeerUpdate.Kind.DISCONNECTED, PeerUpdates.DISCONNECTED);
                }
            }
            c.remote.put(id, accepted);
            c.drainEvictions();
        }
    }

    /** A peer on another replica is ready for {@code dst}'s handshake (pgcoord's {@code tailnet_ready_for_handshake}). */
    public void deliverReadyForHandshake(UUID src, UUID dst) {
        synchronized (c.lock) {
            Peer dstPeer = c.peers.get(dst);
            if (dstPeer != null) {
                c.send(dstPeer, PeerUpdates.of(PeerUpdates.kind(src, PeerUpdate.Kind.READY_FOR_HANDSHAKE, "")));
                c.drainEvictions();
            }
        }
    }

    /** The local peers that must re-read the shared state when {@code changed} changed on another replica. */
    public Set<UUID> interestedIn(UUID changed) {
        synchronized (c.lock) {
            Set<UUID> out = new LinkedHashSet<>();
            if (c.peers.containsKey(changed)) {
                out.add(changed);
            }
            for (UUID local : c.tunnels.peersOf(changed)) {
                if (c.peers.containsKey(local)) {
                    out.add(local);
                }
            }
            c.remote.localsSeeing(changed, out);
            return out;
        }
    }

    /** For each connected peer of {@code ids}: the destinations of its tunnels that are not connected here. */
    public Map<UUID, Set<UUID>> remoteDestinations(Iterable<UUID> ids) {
        synchronized (c.lock) {
            Map<UUID, Set<UUID>> out = new HashMap<>();
            for (UUID id : ids) {
                if (c.peers.containsKey(id)) {
                    Set<UUID> dsts = new LinkedHashSet<>(c.tunnels.from(id));
                    dsts.removeAll(c.peers.keySet());
                    out.put(id, dsts);
                }
            }
            return out;
        }
    }

    /** The IDs of the peers connected now. */
    public Set<UUID> peerIds() {
        synchronized (c.lock) {
            return Set.copyOf(c.peers.keySet());
        }
    }
}
