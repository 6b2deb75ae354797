package dev.switchboard.derp.server;

import dev.switchboard.derp.NodeKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All local connections of one key. With duplicates, the connection that most recently sent any frame is the
 * active receiver ("last writer is active", tailscale/tailscale #2751); older connections are never closed.
 *
 * <p>{@link #sessions} is guarded by {@link DerpServer}'s registry lock; {@link #active} is read lock-free on the
 * packet path; {@link #sentTo} is a concurrent set filled on the packet path.
 */
final class ClientSet {
    // Immutable.
    final NodeKey key;
    // Guarded by DerpServer's registry lock.
    private final List<ClientSession> sessions = new ArrayList<>(1);
    // Any thread: written under the registry lock or by a member's event loop (noteActivity), read lock-free.
    private volatile ClientSession active;
    /** Mirror of {@code sessions.size()} for lock-free readers; written under the registry lock. */
    private volatile int count;
    /** Keys this key has delivered packets to; each gets PeerGone when this key leaves. Any thread (concurrent). */
    final Set<NodeKey> sentTo = ConcurrentHashMap.newKeySet();

    ClientSet(NodeKey key) {
        this.key = key;
    }

    /** The connection that receives packets for this key, or null while duplicates have none. */
    ClientSession active() {
        return active;
    }

    boolean isDup() {
        return count > 1;
    }

    int size() {
        return count;
    }

    List<ClientSession> sessions() {
        return List.copyOf(sessions);
    }

    /** Registers a connection; the newest one becomes active. Caller holds the registry lock. */
    void add(ClientSession session) {
        sessions.add(session);
        count = sessions.size();
        active = session;
    }

    /** Removes a connection and picks the most recent sender as active. Caller holds the registry lock. */
    void remove(ClientSession session) {
        sessions.remove(session);
        count = sessions.size();
        ClientSession best = null;
        for (ClientSession candidate : sessions) {
            if (best == null || candidate.lastActivityNanos() - best.lastActivityNanos() > 0) {
                best = candidate;
            }
        }
        active = best;
    }

    /** A duplicate just sent a frame: it becomes the receiver. Benign race: the last writer wins either way. */
    void noteActivity(ClientSession session) {
        if (active != session && count > 1) {
            active = session;
        }
    }
}
