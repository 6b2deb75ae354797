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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The tailnet v2 coordinator (after coder/coder tailnet/coordinator.go):
 * peers publish their node, tunnels decide who receives whose node. Every method runs under one lock; responses are
 * queued into each peer's bounded stream, and a peer whose stream is full is evicted ({@code failed update}).
 *
 * <p>Alone it is Coder's single-node coordinator. With a {@link Replication} (replicas sharing a database, Coder's
 * {@code enterprise/tailnet/pgcoord.go}) the same rules also cover tunnel peers connected to other replicas: local
 * changes are handed to the replication, and what the database shows of the remote peers comes back through
 * {@link #shared()} ({@link SharedPeers}) and {@link #refuse}.
 */
public final class Coordinator {
    // Package-private for SharedPeers, which applies the shared state under the same lock and rules.
    final Object lock = new Object();
    private final Clock clock;
    final Map<UUID, Peer> peers = new HashMap<>();
    final Tunnels tunnels = new Tunnels();
    /** Peers to evict once the current operation is done (sends never recurse into evictions). */
    private final Deque<Peer> evictions = new ArrayDeque<>();
    final RemoteViews remote = new RemoteViews();
    private final SharedPeers shared = new SharedPeers(this);
    private final CoordinatorStats stats = new CoordinatorStats();
    private Replication replication = Replication.NONE;
    private boolean closed;
    /** Why new peers are refused now ({@code coordinator closed}, {@code coordinator unhealthy}); null: accepting. */
    private String refusal;

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
            if (refusal != null) {
                throw new CoordinationException(refusal);
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
            for (UUID other : tunnels.peersOf(id)) {
                Peer source = peers.get(other);
                if (source != null && source.node != null) {
                    init.addPeerUpdates(PeerUpdates.node(other, source.node, PeerUpdates.INIT));
                    peer.sent.put(other, source.node);
                }
            }
            if (init.getPeerUpdatesCount() > 0) {
                send(peer, init.build());
            }
            remote.forget(id); // the new stream was sent nothing yet: the replication's read starts afresh
            replication.connected(id);
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
            RequestValidation.validate(request);
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
                if (request.hasUpdateSelf() || request.hasAddTunnel() || request.hasRemoveTunnel()) {
                    replication.changed(peer.id, peer.node, false, tunnels.from(peer.id));
                }
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
                remove(peer, PeerUpdate.Kind.LOST, PeerUpdates.LOST, null);
                drainEvictions();
            }
        }
    }

    /** Shutdown: every peer is marked LOST (not DISCONNECTED) so in-progress connections survive. */
    public void close() {
        synchronized (lock) {
            closed = true;
            refusal = "coordinator closed";
            removeAll(PeerUpdates.COORDINATOR_CLOSE, refusal);
        }
    }

    /**
     * The replication cannot keep the shared state (pgcoord after 3 failed heartbeats, coder/coder #12923): every
     * stream ends with {@code reason}, its peers LOST to their tunnel peers, and new peers are refused with it until
     * {@link #accept()}.
     */
    public void refuse(String reason) {
        synchronized (lock) {
            if (!closed) {
                refusal = reason;
                removeAll(reason, reason);
            }
        }
    }

    /** Accepts peers again after {@link #refuse} (never after {@link #close()}). */
    public void accept() {
        synchronized (lock) {
            if (!closed) {
                refusal = null;
            }
        }
    }

    /** Why new peers are refused now, if they are. */
    public Optional<String> refusal() {
        synchronized (lock) {
            return Optional.ofNullable(refusal);
        }
    }

    private void removeAll(String reason, String streamError) {
        for (Peer peer : List.copyOf(peers.values())) {
            if (!peer.gone) {
                remove(peer, PeerUpdate.Kind.LOST, reason, streamError);
            }
        }
        evictions.clear();
    }

    /**
     * Shares this coordinator with other replicas from now on; the peers connected already are handed over as if
     * they had just connected.
     */
    public void replicateWith(Replication replication) {
        synchronized (lock) {
            this.replication = replication;
            for (Peer peer : peers.values()) {
                replication.changed(peer.id, peer.node, false, tunnels.from(peer.id));
                replication.connected(peer.id);
            }
        }
    }

    /** Where the replication hands back what the shared state shows of peers on other replicas. */
    public SharedPeers shared() {
        return shared;
    }

    /**
     * Whether a peer coordinating here, or a tunnel peer of one on another replica, announced this node key (34-byte
     * {@code Node.key}); relay admission (CODER_DERP_SERVER_VERIFY_CLIENTS) asks.
     */
    public boolean announced(com.google.protobuf.ByteString nodeKey) {
        synchronized (lock) {
            return peers.values().stream().anyMatch(p -> p.node != null && nodeKey.equals(p.node.getKey()))
                    || remote.announced(nodeKey);
        }
    }

    private void updateSelf(Peer peer, Node node) {
        peer.node = node;
        for (UUID other : tunnels.peersOf(peer.id)) {
            sendNode(peers.get(other), peer.id, node, PeerUpdates.NODE_UPDATE);
        }
    }

    private void addTunnel(Peer src, UUID dst) {
        tunnels.add(src.id, dst);
        Peer dstPeer = peers.get(dst);
        if (dstPeer != null) {
            sendNode(src, dst, dstPeer.node, PeerUpdates.ADD_TUNNEL);
            sendNode(dstPeer, src.id, src.node, PeerUpdates.ADD_TUNNEL);
        }
    }

    private void removeTunnel(Peer src, UUID dst) {
        Peer dstPeer = peers.get(dst);
        if (dstPeer != null) {
            sendGone(dstPeer, src.id, PeerUpdate.Kind.DISCONNECTED, PeerUpdates.REMOVE_TUNNEL);
        }
        if (remote.dropOutbound(src.id, dst) || dstPeer != null) {
            sendGone(src, dst, PeerUpdate.Kind.DISCONNECTED, PeerUpdates.REMOVE_TUNNEL);
        }
        tunnels.remove(src.id, dst);
    }

    private void readyForHandshake(Peer src, UUID dst) {
        if (!sharesTunnel(src.id, dst)) {
            send(src, PeerUpdates.error("ready for handshake error: you do not share a tunnel with \"" + dst + "\""));
            return;
        }
        Peer dstPeer = peers.get(dst);
        if (dstPeer != null) {
            send(dstPeer, PeerUpdates.of(PeerUpdates.kind(src.id, PeerUpdate.Kind.READY_FOR_HANDSHAKE, "")));
        } else {
            replication.readyForHandshake(src.id, dst);
        }
    }

    /**
     * Takes a peer out: tunnel peers that were sent its node learn {@code kind}; tunnels it opened are deleted
     * (the single-node reference does this for LOST too; clients re-add them on reconnect); its stream ends.
     */
    private void remove(Peer peer, PeerUpdate.Kind kind, String reason, String streamError) {
        peer.gone = true;
        peers.remove(peer.id, peer);
        remote.forget(peer.id);
        if (kind == PeerUpdate.Kind.DISCONNECTED && streamError == null) {
            replication.disconnected(peer.id);
        } else {
            // Other replicas keep its node and tunnels (pgcoord: removing them would look like a disconnect).
            replication.changed(peer.id, peer.node, true, tunnels.from(peer.id));
        }
        for (UUID other : tunnels.peersOf(peer.id)) {
            Peer receiver = peers.get(other);
            if (receiver != null) {
                sendGone(receiver, peer.id, kind, reason);
            }
        }
        tunnels.removeFrom(peer.id);
        peer.stream.close(streamError);
    }

    void sendNode(Peer receiver, UUID subject, Node node, String reason) {
        if (receiver == null || receiver.gone || node == null) {
            return;
        }
        if (node.equals(receiver.sent.get(subject))) {
            return; // unchanged: suppressed
        }
        receiver.sent.put(subject, node);
        send(receiver, PeerUpdates.of(PeerUpdates.node(subject, node, reason)));
    }

    /** LOST/DISCONNECTED only to peers that were sent the subject's node. */
    void sendGone(Peer receiver, UUID subject, PeerUpdate.Kind kind, String reason) {
        if (receiver.gone || receiver.sent.remove(subject) == null) {
            return;
        }
        send(receiver, PeerUpdates.of(PeerUpdates.kind(subject, kind, reason)));
    }

    void send(Peer receiver, CoordinateResponse response) {
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

    void drainEvictions() {
        Peer slow;
        while ((slow = evictions.poll()) != null) {
            if (!slow.gone) {
                stats.evicted();
                remove(slow, PeerUpdate.Kind.DISCONNECTED, PeerUpdates.FAILED_UPDATE, "failed update");
            }
        }
    }

    private boolean sharesTunnel(UUID a, UUID b) {
        return tunnels.has(a, b) || tunnels.has(b, a) || remote.sees(a, b);
    }

    /** A consistent copy of the state for the debug page. */
    public Snapshot snapshot() {
        synchronized (lock) {
            List<Snapshot.PeerInfo> peerInfos = new ArrayList<>();
            for (Peer peer : peers.values()) {
                peerInfos.add(new Snapshot.PeerInfo(peer.name, peer.id, peer.created, peer.lastWrite, peer.overwrites,
                        peer.node));
            }
            List<Snapshot.Tunnel> open = new ArrayList<>();
            tunnels.forEach((src, dst) -> open.add(new Snapshot.Tunnel(src, dst)));
            return new Snapshot(peerInfos, open);
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
            return tunnels.count();
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
