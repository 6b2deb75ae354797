package dev.switchboard.coordinator;

import dev.switchboard.coordinator.proto.CoordinateRequest;
import dev.switchboard.coordinator.proto.CoordinateResponse;
import dev.switchboard.coordinator.proto.CoordinateResponse.PeerUpdate;
import dev.switchboard.coordinator.proto.Node;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The single-node tailnet v2 coordinator (after coder/coder tailnet/coordinator.go):
 * peers publish their node, tunnels decide who receives whose node. Every method runs under one lock; responses are
 * queued into each peer's bounded stream, and a peer whose stream is full is evicted ({@code failed update}).
 */
public final class Coordinator {
    private final Object lock = new Object();
    private final Clock clock;
    private final Map<UUID, Peer> peers = new HashMap<>();
    private final Map<UUID, Set<UUID>> bySrc = new HashMap<>();
    private final Map<UUID, Set<UUID>> byDst = new HashMap<>();
    /** Peers to evict once the current operation is done (sends never recurse into evictions). */
    private final Deque<Peer> evictions = new ArrayDeque<>();
    private final CoordinatorStats stats = new CoordinatorStats();
    private boolean closed;

    public Coordinator(Clock clock) {
        this.clock = clock;
    }

    /**
     * Connects a peer. A peer already connected with this ID is told {@code peer ID overwritten by new connection}
     * and closed; its tunnel peers keep their mapping. The new peer gets the nodes of its existing tunnel peers.
     *
     * @throws CoordinationException {@code coordinator closed} after {@link #close()}
     */
    public Peer connect(UUID id, String name, Authorization authorization, PeerStream stream)
            throws CoordinationException {
        return connect(id, name, null, authorization, stream);
    }

    /** As above, for a peer run by {@code owner} (a token subject; null for the server's own peer). */
    public Peer connect(UUID id, String name, UUID owner, Authorization authorization, PeerStream stream)
            throws CoordinationException {
        synchronized (lock) {
            if (closed) {
                throw new CoordinationException("coordinator closed");
            }
            Peer old = peers.remove(id);
            if (old != null) {
                stats.overwritten();
                old.gone = true;
                old.stream.close("peer ID overwritten by new connection");
            }
            Peer peer = new Peer(id, name, owner, authorization, stream, clock.instant(),
                    old == null ? 0 : old.overwrites + 1);
            peers.put(id, peer);
            CoordinateResponse.Builder init = CoordinateResponse.newBuilder();
            for (UUID other : tunnelPeers(id)) {
                Peer source = peers.get(other);
                if (source != null && source.node != null) {
                    init.addPeerUpdates(PeerUpdates.node(other, source.node, PeerUpdates.INIT));
                    peer.sent.put(other, source.node);
                }
            }
            if (init.getPeerUpdatesCount() > 0) {
                send(peer, init.build());
            }
            drainEvictions();
            return peer;
        }
    }

    /**
     * Applies one request in the spec's order: validation, authorization, update_self, add_tunnel, remove_tunnel,
     * disconnect, ready_for_handshake.
     *
     * @throws CoordinationException when the request ends the stream (nothing was changed in that case)
     */
    public void handle(Peer peer, CoordinateRequest request) throws CoordinationException {
        synchronized (lock) {
            if (peer.gone) {
                return;
            }
            validate(request);
            try {
                peer.authorization.authorize(request);
            } catch (CoordinationException e) {
                throw new CoordinationException("authorization: " + e.getMessage());
            }
            stats.requestHandled();
            if (request.hasUpdateSelf()) {
                updateSelf(peer, request.getUpdateSelf().getNode());
            }
            if (request.hasAddTunnel()) {
                addTunnel(peer, Uuids.uuid(request.getAddTunnel().getId()));
            }
            if (request.hasRemoveTunnel()) {
                removeTunnel(peer, Uuids.uuid(request.getRemoveTunnel().getId()));
            }
            if (request.hasDisconnect()) {
                remove(peer, PeerUpdate.Kind.DISCONNECTED, PeerUpdates.GRACEFUL_DISCONNECT, null);
            } else {
                for (CoordinateRequest.ReadyForHandshake rfh : request.getReadyForHandshakeList()) {
                    readyForHandshake(peer, Uuids.uuid(rfh.getId()));
                }
            }
            drainEvictions();
        }
    }

    /** The stream ended without {@code disconnect}: tunnel peers get LOST and keep the last node. */
    public void lost(Peer peer) {
        synchronized (lock) {
            if (!peer.gone) {
                remove(peer, PeerUpdate.Kind.LOST, "lost", null);
                drainEvictions();
            }
        }
    }

    /** Shutdown: every peer is marked LOST (not DISCONNECTED) so in-progress connections survive. */
    public void close() {
        synchronized (lock) {
            closed = true;
            for (Peer peer : List.copyOf(peers.values())) {
                if (!peer.gone) {
                    remove(peer, PeerUpdate.Kind.LOST, PeerUpdates.COORDINATOR_CLOSE, "coordinator closed");
                }
            }
            evictions.clear();
        }
    }

    private static void validate(CoordinateRequest request) throws CoordinationException {
        if (request.hasUpdateSelf() && !request.getUpdateSelf().hasNode()) {
            throw new CoordinationException("update_self node is required");
        }
        if (request.hasAddTunnel() && Uuids.uuid(request.getAddTunnel().getId()) == null) {
            throw new CoordinationException("add_tunnel id must be a 16-byte UUID");
        }
        if (request.hasRemoveTunnel() && Uuids.uuid(request.getRemoveTunnel().getId()) == null) {
            throw new CoordinationException("remove_tunnel id must be a 16-byte UUID");
        }
        for (CoordinateRequest.ReadyForHandshake rfh : request.getReadyForHandshakeList()) {
            if (Uuids.uuid(rfh.getId()) == null) {
                throw new CoordinationException("ready_for_handshake id must be a 16-byte UUID");
            }
        }
    }

    private void updateSelf(Peer peer, Node node) {
        peer.node = node;
        for (UUID other : tunnelPeers(peer.id)) {
            sendNode(peers.get(other), peer, PeerUpdates.NODE_UPDATE);
        }
    }

    private void addTunnel(Peer src, UUID dst) {
        bySrc.computeIfAbsent(src.id, k -> new LinkedHashSet<>()).add(dst);
        byDst.computeIfAbsent(dst, k -> new LinkedHashSet<>()).add(src.id);
        Peer dstPeer = peers.get(dst);
        if (dstPeer != null) {
            sendNode(src, dstPeer, PeerUpdates.ADD_TUNNEL);
            sendNode(dstPeer, src, PeerUpdates.ADD_TUNNEL);
        }
    }

    private void removeTunnel(Peer src, UUID dst) {
        Peer dstPeer = peers.get(dst);
        if (dstPeer != null) {
            sendGone(dstPeer, src.id, PeerUpdate.Kind.DISCONNECTED, PeerUpdates.REMOVE_TUNNEL);
            sendGone(src, dst, PeerUpdate.Kind.DISCONNECTED, PeerUpdates.REMOVE_TUNNEL);
        }
        deleteTunnel(src.id, dst);
    }

    private void readyForHandshake(Peer src, UUID dst) {
        if (!sharesTunnel(src.id, dst)) {
            send(src, PeerUpdates.error("ready for handshake error: you do not share a tunnel with \"" + dst + "\""));
            return;
        }
        Peer dstPeer = peers.get(dst);
        if (dstPeer != null) {
            send(dstPeer, PeerUpdates.of(PeerUpdates.kind(src.id, PeerUpdate.Kind.READY_FOR_HANDSHAKE, "")));
        }
    }

    /**
     * Takes a peer out: tunnel peers that were sent its node learn {@code kind}; tunnels it opened are deleted
     * (the single-node reference does this for LOST too; clients re-add them on reconnect); its stream ends.
     */
    private void remove(Peer peer, PeerUpdate.Kind kind, String reason, String streamError) {
        peer.gone = true;
        peers.remove(peer.id, peer);
        for (UUID other : tunnelPeers(peer.id)) {
            Peer receiver = peers.get(other);
            if (receiver != null) {
                sendGone(receiver, peer.id, kind, reason);
            }
        }
        for (UUID dst : List.copyOf(bySrc.getOrDefault(peer.id, Set.of()))) {
            deleteTunnel(peer.id, dst);
        }
        peer.stream.close(streamError);
    }

    private void sendNode(Peer receiver, Peer subject, String reason) {
        if (receiver == null || receiver.gone || subject.node == null) {
            return;
        }
        if (subject.node.equals(receiver.sent.get(subject.id))) {
            return; // unchanged: suppressed
        }
        receiver.sent.put(subject.id, subject.node);
        send(receiver, PeerUpdates.of(PeerUpdates.node(subject.id, subject.node, reason)));
    }

    /** LOST/DISCONNECTED only to peers that were sent the subject's node. */
    private void sendGone(Peer receiver, UUID subject, PeerUpdate.Kind kind, String reason) {
        if (receiver.gone || receiver.sent.remove(subject) == null) {
            return;
        }
        send(receiver, PeerUpdates.of(PeerUpdates.kind(subject, kind, reason)));
    }

    private void send(Peer receiver, CoordinateResponse response) {
        if (receiver.gone) {
            return;
        }
        if (receiver.stream.offer(response)) {
            stats.responseQueued();
            receiver.lastWrite = clock.instant();
        } else if (!evictions.contains(receiver)) {
            evictions.add(receiver);
        }
    }

    private void drainEvictions() {
        Peer slow;
        while ((slow = evictions.poll()) != null) {
            if (!slow.gone) {
                stats.evicted();
                remove(slow, PeerUpdate.Kind.DISCONNECTED, PeerUpdates.FAILED_UPDATE, "failed update");
            }
        }
    }

    private Set<UUID> tunnelPeers(UUID id) {
        Set<UUID> out = new LinkedHashSet<>(bySrc.getOrDefault(id, Set.of()));
        out.addAll(byDst.getOrDefault(id, Set.of()));
        out.remove(id);
        return out;
    }

    private boolean sharesTunnel(UUID a, UUID b) {
        return bySrc.getOrDefault(a, Set.of()).contains(b) || bySrc.getOrDefault(b, Set.of()).contains(a);
    }

    private void deleteTunnel(UUID src, UUID dst) {
        Set<UUID> dsts = bySrc.get(src);
        if (dsts != null && dsts.remove(dst) && dsts.isEmpty()) {
            bySrc.remove(src);
        }
        Set<UUID> srcs = byDst.get(dst);
        if (srcs != null && srcs.remove(src) && srcs.isEmpty()) {
            byDst.remove(dst);
        }
    }

    /** A consistent copy of the state for the debug page. */
    public Snapshot snapshot() {
        synchronized (lock) {
            List<Snapshot.PeerInfo> peerInfos = new ArrayList<>();
            for (Peer peer : peers.values()) {
                peerInfos.add(new Snapshot.PeerInfo(peer.name, peer.id, peer.created, peer.lastWrite, peer.overwrites,
                        peer.node));
            }
            List<Snapshot.Tunnel> tunnels = new ArrayList<>();
            bySrc.forEach((src, dsts) -> dsts.forEach(dst -> tunnels.add(new Snapshot.Tunnel(src, dst))));
            return new Snapshot(peerInfos, tunnels);
        }
    }

    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    public CoordinatorStats stats() {
        return stats;
    }

    /** Agents ({@code agents}) or clients connected now. */
    public int peerCount(boolean agents) {
        synchronized (lock) {
            return (int) peers.values().stream().filter(p -> p.authorization.isAgent() == agents).count();
        }
    }

    /** Tunnels open now. */
    public int tunnelCount() {
        synchronized (lock) {
            return bySrc.values().stream().mapToInt(Set::size).sum();
        }
    }

    /** Peers connected now (the graceful drain ends early when none is left). */
    public int peerCount() {
        synchronized (lock) {
            return peers.size();
        }
    }

    /** Whether a peer ID is connected now (resume-token issuance checks it). */
    public boolean isConnected(UUID id) {
        synchronized (lock) {
            return peers.containsKey(id);
        }
    }

    /** Whether {@code id} is connected now and run by {@code owner} (resume-token issuance checks it). */
    public boolean isConnectedAndOwnedBy(UUID id, UUID owner) {
        synchronized (lock) {
            Peer peer = peers.get(id);
            return peer != null && owner != null && owner.equals(peer.owner);
        }
    }

    /** State at one instant. */
    public record Snapshot(List<PeerInfo> peers, List<Tunnel> tunnels) {
        public record PeerInfo(String name, UUID id, java.time.Instant created, java.time.Instant lastWrite,
                               int overwrites, Node node) {
        }

        public record Tunnel(UUID src, UUID dst) {
        }
    }
}
