package dev.switchboard.coordinator;

import dev.switchboard.coordinator.proto.Node;

import java.util.Set;
import java.util.UUID;

/**
 * Where a {@link Coordinator} shares its local peers with the coordinators of other replicas (Coder's pgcoord,
 * {@code enterprise/tailnet/pgcoord.go}). Called under the coordinator lock: implementations only record what
 * changed and do the I/O later, never blocking.
 */
public interface Replication {
    /** A single node: nothing is shared. */
    Replication NONE = new Replication() {
        @Override
        public void changed(UUID id, Node node, boolean lost, Set<UUID> tunnels) {
        }

        @Override
        public void disconnected(UUID id) {
        }

        @Override
        public void connected(UUID id) {
        }

        @Override
        public void readyForHandshake(UUID src, UUID dst) {
        }
    };

    /**
     * The state other replicas should see of local peer {@code id}: its last node (null before it sent one), whether
     * its stream ended without {@code disconnect} ({@code lost}: they keep the node), and the tunnels it opened.
     * Only the latest state matters, so implementations may coalesce.
     */
    void changed(UUID id, Node node, boolean lost, Set<UUID> tunnels);

    /** A graceful {@code disconnect}: its node and the tunnels it opened go away. */
    void disconnected(UUID id);

    /** A peer connected here: read its tunnel peers on other replicas and hand them to {@link SharedPeers#applyRemote}. */
    void connected(UUID id);

    /** {@code src} (local) is ready for the handshake of {@code dst}, which is not connected here. */
    void readyForHandshake(UUID src, UUID dst);
}
