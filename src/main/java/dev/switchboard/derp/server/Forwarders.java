package dev.switchboard.derp.server;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodeKeyProbe;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keys connected to sibling relays, each with the mesh links that announced it (derper's {@code multiForwarder}):
 * packets go out on the first registered link; when it goes, the next oldest takes over. For each remote key it also
 * remembers the local keys it sent packets to, so they learn PeerGone when it leaves the region (derp §5.3).
 *
 * <p>Reads ({@link #forwarder}, {@link #noteSent}) come from any event loop without a lock; changes are made under
 * the server's registry lock.
 */
final class Forwarders {
    /** One remote key. {@code links} is guarded by the registry lock; {@code current} is its first, published. */
    static final class Remote {
        private final List<PacketForwarder> links = new ArrayList<>(2);
        private volatile PacketForwarder current;
        final Set<NodeKey> sentTo = ConcurrentHashMap.newKeySet();
    }

    private final ConcurrentHashMap<NodeKey, Remote> byKey = new ConcurrentHashMap<>();

    PacketForwarder forwarder(NodeKeyProbe key) {
        Remote remote = byKey.get(key);
        return remote == null ? null : remote.current;
    }

    boolean claims(NodeKey key) {
        return byKey.containsKey(key);
    }

    /** A packet from remote {@code source} was delivered to local {@code destination}. */
    void noteSent(NodeKeyProbe source, NodeKey destination) {
        Remote remote = byKey.get(source);
        if (remote != null && !remote.sentTo.contains(destination)) {
            remote.sentTo.add(destination);
        }
    }

    /** Under the registry lock. */
    void add(NodeKey key, PacketForwarder link) {
        Remote remote = byKey.computeIfAbsent(key, k -> new Remote());
        if (!remote.links.contains(link)) {
            remote.links.add(link);
            remote.current = remote.links.getFirst();
        }
    }

    /** Under the registry lock: the key's last local connection left, but a sibling still has it. */
    void inherit(NodeKey key, Set<NodeKey> localSentTo) {
        Remote remote = byKey.get(key);
        if (remote != null) {
            remote.sentTo.addAll(localSentTo);
        }
    }

    /** Under the registry lock. The removed entry when {@code link} was the key's last, else null. */
    Remote remove(NodeKey key, PacketForwarder link) {
        Remote remote = byKey.get(key);
        if (remote == null || !remote.links.remove(link)) {
            return null;
        }
        if (!remote.links.isEmpty()) {
            remote.current = remote.links.getFirst();
            return null;
        }
        byKey.remove(key);
        return remote;
    }

    int size() {
        return byKey.size();
    }
}
