package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.tailnet.disco.DiscoKey;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The peers by node key, disco key and tied UDP source ({@code magicsock.go peerMap}). magicsock hands each received
 * WireGuard packet to wireguard-go with the peer's endpoint, so UDP from an {@code ip:port} not tied to a peer is
 * dropped ({@code endpointForIPPort}); ties come only from authenticated disco (a pong, or a ping whose peer is
 * unambiguous). Owned by the magicsock event loop.
 *
 * <p>Ties per peer are bounded at {@link MagicsockConstants#MAX_CANDIDATES} (oldest dropped); Tailscale keeps all.
 */
public final class PeerMap implements DiscoDemux.Peers {
    private static final class PeerInfo {
        final PathEndpoint ep;
        final Set<InetSocketAddress> ipPorts = new LinkedHashSet<>();
        DiscoKey indexedDisco;

        PeerInfo(PathEndpoint ep) {
            this.ep = ep;
        }
    }

    private final Map<NodeKey, PeerInfo> byNodeKey = new LinkedHashMap<>();
    private final Map<InetSocketAddress, PeerInfo> byIpPort = new HashMap<>();
    private final Map<DiscoKey, Set<NodeKey>> nodesOfDisco = new HashMap<>();

    /** {@code upsertEndpoint}: adds {@code ep}, or re-indexes it after {@link PathEndpoint#updateFromNode}. */
    public void upsert(PathEndpoint ep) {
        PeerInfo info = byNodeKey.computeIfAbsent(ep.publicKey(), k -> new PeerInfo(ep));
        if (info.ep != ep) {
            throw new IllegalStateException("another endpoint is registered for " + ep.publicKey());
        }
        DiscoKey disco = ep.discoKey().orElse(null);
        if (info.indexedDisco != null && !info.indexedDisco.equals(disco)) {
            unindexDisco(info.indexedDisco, ep.publicKey());
        }
        if (disco != null) {
            nodesOfDisco.computeIfAbsent(disco, k -> new LinkedHashSet<>()).add(ep.publicKey());
        }
        info.indexedDisco = disco;
    }

    /** {@code deleteEndpoint}: the peer left the netmap. */
    public void delete(NodeKey key) {
        PeerInfo info = byNodeKey.remove(key);
        if (info == null) {
            return;
        }
        info.ipPorts.forEach(byIpPort::remove);
        if (info.indexedDisco != null) {
            unindexDisco(info.indexedDisco, key);
        }
    }

    public Optional<PathEndpoint> endpointForNodeKey(NodeKey key) {
        return Optional.ofNullable(byNodeKey.get(key)).map(i -> i.ep);
    }

    /** The peer WireGuard from {@code src} belongs to; empty means drop it. */
    public Optional<PathEndpoint> endpointForIpPort(InetSocketAddress src) {
        return Optional.ofNullable(byIpPort.get(src)).map(i -> i.ep);
    }

    /** {@code forEachEndpointWithDiscoKey}: usually one; several only if peers share a disco key. */
    public List<PathEndpoint> endpointsWithDiscoKey(DiscoKey disco) {
        List<PathEndpoint> out = new ArrayList<>();
        for (NodeKey k : nodesOfDisco.getOrDefault(disco, Set.of())) {
            out.add(byNodeKey.get(k).ep);
        }
        return out;
    }

    /** {@code setNodeKeyForIPPort}: WireGuard from {@code src} is now {@code key}'s; a tie to another peer moves. */
    public void setNodeKeyForIpPort(InetSocketAddress src, NodeKey key) {
        PeerInfo info = byNodeKey.get(key);
        if (info == null || DerpMagicAddress.isDerp(src)) {
            return;
        }
        PeerInfo old = byIpPort.put(src, info);
        if (old != null && old != info) {
            old.ipPorts.remove(src);
        }
        info.ipPorts.remove(src);
        info.ipPorts.add(src); // most recent last
        if (info.ipPorts.size() > MagicsockConstants.MAX_CANDIDATES) {
            Iterator<InetSocketAddress> it = info.ipPorts.iterator();
            byIpPort.remove(it.next());
            it.remove();
        }
    }

    @Override
    public boolean hasDiscoKey(DiscoKey key) {
        return nodesOfDisco.containsKey(key);
    }

    @Override
    public Optional<DiscoKey> discoKeyOf(NodeKey key) {
        return endpointForNodeKey(key).flatMap(PathEndpoint::discoKey);
    }

    public int size() {
        return byNodeKey.size();
    }

    private void unindexDisco(DiscoKey disco, NodeKey key) {
        Set<NodeKey> nodes = nodesOfDisco.get(disco);
        if (nodes != null && nodes.remove(key) && nodes.isEmpty()) {
            nodesOfDisco.remove(disco);
        }
    }
}
