package dev.switchboard.derp.server;

import dev.switchboard.derp.DerpConnection;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodeKeyProbe;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.PeerGoneReason;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The relay: the registry of connected keys and the routing decisions of tailscale/tailscale derpserver.go.
 * Every transport ends at {@link #accept}; each connection then lives in its own {@link ClientSession}.
 *
 * <p>Static after construction: keys, options, metrics, clock. {@link #clients} is concurrent so the packet path
 * looks up destinations without locking; registration changes and {@link #watchers} are guarded by
 * {@link #registryLock}.
 */
public final class DerpServer {
    private static final Logger LOG = Logger.getLogger(DerpServer.class);

    // Immutable after construction; read from any thread.
    private final Vertx vertx;
    private final NodePrivateKey privateKey;
    private final DerpServerOptions options;
    private final DerpMetrics metrics;
    private final ByteBufAllocator packetAllocator;
    /** Monotonic nanoseconds, as {@link System#nanoTime()}; tests drive their own. */
    private final LongSupplier nanoClock;
    // Concurrent map: read lock-free by any session's loop; its changes are made under registryLock.
    private final ConcurrentHashMap<NodeKey, ClientSet> clients = new ConcurrentHashMap<>();
    private final Object registryLock = new Object();
    // Guarded by registryLock.
    private final Set<ClientSession> watchers = new LinkedHashSet<>();
    private final Forwarders forwarders = new Forwarders();
    // Any thread.
    private volatile boolean draining;
    /** Null: every client may use the relay (CODER_DERP_SERVER_VERIFY_CLIENTS off). */
    private volatile ClientAdmission admission;
    /** Node keys of this process's own clients (the relay's warm-up): admitted whatever {@link #admission} says. */
    private final Set<NodeKey> ownClients = ConcurrentHashMap.newKeySet();
    private final ConnectionsPerAddress perAddress;

    public DerpServer(Vertx vertx, NodePrivateKey privateKey, DerpServerOptions options, DerpMetrics metrics) {
        this(vertx, privateKey, options, metrics, PooledByteBufAllocator.DEFAULT);
    }

    /** With the allocator for relayed packet frames; tests pass one that counts what is still allocated. */
    public DerpServer(Vertx vertx, NodePrivateKey privateKey, DerpServerOptions options, DerpMetrics metrics,
                      ByteBufAllocator packetAllocator) {
        this(vertx, privateKey, options, metrics, packetAllocator, System::nanoTime);
    }

    /**
     * With the clock every session reads (activity, the home-move grace, the NotHere rate limit): production passes
     * {@code System::nanoTime}, tests a clock they advance. Timers still run on Vert.x's own clock.
     */
    public DerpServer(Vertx vertx, NodePrivateKey privateKey, DerpServerOptions options, DerpMetrics metrics,
                      ByteBufAllocator packetAllocator, LongSupplier nanoClock) {
        this.vertx = vertx;
        this.privateKey = privateKey;
        this.options = options;
        this.metrics = metrics;
        this.packetAllocator = packetAllocator;
        this.nanoClock = nanoClock;
        this.perAddress = new ConnectionsPerAddress(options.maxConnectionsPerIp());
    }

    /**
     * Reserves a connection slot for {@code address} before an upgrade is accepted; false (and counted) when that
     * address already holds CODER_DERP_SERVER_MAX_CONNECTIONS_PER_IP connections. {@link #accept} takes the slot over.
     */
    public boolean admit(java.net.InetAddress address) {
        if (perAddress.tryAcquire(address)) {
            return true;
        }
        metrics.connectionRefusedPerIp();
        return false;
    }

    /** Gives back a slot {@link #admit} reserved when the upgrade did not complete. */
    public void release(java.net.InetAddress address) {
        perAddress.release(address);
    }

    /** Starts the DERP handshake on a connection whose transport-level upgrade is complete. */
    public void accept(DerpConnection connection, boolean notIdeal) {
        metrics.clientAccepted();
        new ClientSession(this, connection, notIdeal).start();
    }

    /** From now on only clients {@code admission} admits (and mesh peers) complete the handshake. */
    public void verifyClientsWith(ClientAdmission admission) {
        this.admission = admission;
    }

    /**
     * Admits {@code key} even under CODER_DERP_SERVER_VERIFY_CLIENTS: a client of this process (warmup.RelayWarmup)
     * whose private key never leaves it; the handshake's sealed ClientInfo proves the client holds that key.
     */
    public void admitOwnClient(NodeKey key) {
        ownClients.add(key);
    }

    public void forgetOwnClient(NodeKey key) {
        ownClients.remove(key);
    }

    /** Null: every client is admitted. Asked once per handshake, so the wrapper's allocation is off the hot path. */
    ClientAdmission admission() {
        ClientAdmission verify = admission;
        return verify == null ? null
                : key -> ownClients.contains(key) ? Future.succeededFuture(true) : verify.admits(key);
    }

    /** Counts a WebSocket accept separately, as derper's {@code derp_websocket_accepts}. */
    public void noteWebSocketAccept() {
        metrics.webSocketAccepted();
    }

    public NodeKey publicKey() {
        return privateKey.publicKey();
    }

    public DerpMetrics metrics() {
        return metrics;
    }

    /** The relay's node key: its mesh links to siblings identify with it, as derper's do ({@code derp/derphttp}). */
    public NodePrivateKey privateKey() {
        return privateKey;
    }

    DerpServerOptions options() {
        return options;
    }

    Vertx vertx() {
        return vertx;
    }

    ByteBufAllocator packetAllocator() {
        return packetAllocator;
    }

    /** Now, in monotonic nanoseconds from the injected clock. */
    long nanoTime() {
        return nanoClock.getAsLong();
    }

    /** Constant-time comparison with the configured mesh key; false when none is configured. */
    boolean isMeshKey(byte[] presented) {
        return options.meshKey().matches(presented);
    }

    ClientSet lookup(NodeKey key) {
        return clients.get(key);
    }

    /** The packet path's lookup: the destination still in its frame, no key object made. */
    ClientSet lookup(NodeKeyProbe key) {
        return clients.get(key);
    }

    /** Adds a handshaken connection; watchers learn of it. Returns the key's set. */
    ClientSet register(ClientSession session) {
        synchronized (registryLock) {
            ClientSet set = clients.computeIfAbsent(session.key(), ClientSet::new);
            set.add(session);
            metrics.connectionRegistered(set.size());
            for (ClientSession watcher : watchers) {
                watcher.enqueueControl(session.peerPresentFrame());
            }
            return set;
        }
    }

    /** Removes a connection; on the key's last connection, watchers and former receivers get PeerGone. */
    void unregister(ClientSession session) {
        List<ClientSession> watchersToTell = new ArrayList<>();
        List<ClientSession> receiversToTell = new ArrayList<>();
        synchronized (registryLock) {
            watchers.remove(session);
            metrics.watchersChanged(watchers.size());
            ClientSet set = clients.get(session.key());
            if (set == null || !set.sessions().contains(session)) {
                return;
            }
            int before = set.size();
            set.remove(session);
            metrics.connectionUnregistered(before);
            if (set.size() > 0) {
                return;
            }
            clients.remove(session.key());
            watchersToTell.addAll(watchers);
            if (forwarders.claims(session.key())) {
                forwarders.inherit(session.key(), set.sentTo); // still in the region: not gone yet
            } else {
                collectSessions(set.sentTo, receiversToTell);
            }
        }
        var frame = Frames.peerGone(session.key(), PeerGoneReason.DISCONNECTED);
        watchersToTell.forEach(watcher -> watcher.enqueueControl(frame));
        tellGone(frame, receiversToTell);
    }

    /** Under the registry lock: the local connections of {@code keys}. */
    private void collectSessions(Iterable<NodeKey> keys, List<ClientSession> into) {
        for (NodeKey receiver : keys) {
            ClientSet receivers = clients.get(receiver);
            if (receivers != null) {
                into.addAll(receivers.sessions());
            }
        }
    }

    private void tellGone(Buffer frame, List<ClientSession> receivers) {
        for (ClientSession receiver : receivers) {
            if (receiver.enqueueControl(frame)) {
                metrics.peerGoneSent(PeerGoneReason.DISCONNECTED);
            }
        }
    }

    /** A sibling relay announced {@code key} on the mesh link {@code link} (its PeerPresent). */
    public void addForwarder(NodeKey key, PacketForwarder link) {
        synchronized (registryLock) {
            forwarders.add(key, link);
            metrics.remotePeersChanged(forwarders.size());
        }
    }

    /**
     * {@code link} no longer reaches {@code key} (its PeerGone, or the link broke). When no link and no local
     * connection has the key any more, it left the region: whoever it sent packets to gets PeerGone.
     */
    public void removeForwarder(NodeKey key, PacketForwarder link) {
        List<ClientSession> receiversToTell = new ArrayList<>();
        synchronized (registryLock) {
            Forwarders.Remote gone = forwarders.remove(key, link);
            metrics.remotePeersChanged(forwarders.size());
            if (gone == null || clients.containsKey(key)) {
                return;
            }
            collectSessions(gone.sentTo, receiversToTell);
        }
        tellGone(Frames.peerGone(key, PeerGoneReason.DISCONNECTED), receiversToTell);
    }

    /** The mesh link for a key connected to a sibling relay, or null; any thread, no lock. */
    PacketForwarder forwarder(NodeKeyProbe key) {
        return forwarders.forwarder(key);
    }

    /** A packet forwarded from remote {@code source} (still in its frame) reached local {@code destination}. */
    void noteForwardedDelivery(NodeKeyProbe source, NodeKey destination) {
        forwarders.noteSent(source, destination);
    }

    /** WatchConns: the watcher gets PeerPresent for every connected key now, then a stream of changes. */
    void addWatcher(ClientSession watcher) {
        if (watcher.key().equals(publicKey())) {
            LOG.debugf("ignoring WatchConns from our own key (mesh self-connect)");
            return;
        }
        synchronized (registryLock) {
            if (!watchers.add(watcher)) {
                return;
            }
            metrics.watchersChanged(watchers.size());
            for (ClientSet set : clients.values()) {
                ClientSession active = set.active();
                if (active != null) {
                    watcher.enqueueControl(active.peerPresentFrame());
                }
            }
        }
    }

    /** ClosePeer: closes every local connection of {@code key}; false if there is none. */
    public boolean closePeer(NodeKey key) {
        ClientSet set = clients.get(key);
        List<ClientSession> sessions;
        synchronized (registryLock) {
            sessions = set == null ? List.of() : set.sessions();
        }
        sessions.forEach(s -> s.closeFromAnyThread("closed by mesh peer (ClosePeer)"));
        return !sessions.isEmpty();
    }

    /** Graceful drain, first step: refuse new connections; existing ones keep relaying. */
    public void startDraining() {
        draining = true;
    }

    public boolean isDraining() {
        return draining;
    }

    /**
     * Graceful drain, last step: every connection gets a Restarting frame (reconnect after {@code reconnectIn}, keep
     * trying for {@code tryFor}) and is closed once it is flushed. Completes when all are closed.
     */
    public io.vertx.core.Future<Void> restartAll(java.time.Duration reconnectIn, java.time.Duration tryFor) {
        draining = true;
        List<ClientSession> sessions = new ArrayList<>();
        synchronized (registryLock) {
            clients.values().forEach(set -> sessions.addAll(set.sessions()));
        }
        var frame = Frames.restarting(reconnectIn.toMillis(), tryFor.toMillis());
        return io.vertx.core.Future.all(sessions.stream().map(s -> s.closeWith(frame)).toList()).mapEmpty();
    }

    /** Number of open, handshaken connections. */
    public int connectionCount() {
        return (int) metrics.currentConnections();
    }

    /** Packets waiting in the send queues of {@code key}'s connections (bounded by 2 × queue depth each). */
    public int queuedPackets(NodeKey key) {
        ClientSet set = clients.get(key);
        return set == null ? 0 : set.sessions().stream().mapToInt(s -> s.sendQueue().queuedPackets()).sum();
    }

    /** Whether a sibling relay has announced the key on a mesh link (for tests and health). */
    public boolean isRemote(NodeKey key) {
        return forwarders.claims(key);
    }

    /** Whether a key has at least one local connection (for tests and health). */
    public boolean isConnected(NodeKey key) {
        return clients.containsKey(key);
    }
}
