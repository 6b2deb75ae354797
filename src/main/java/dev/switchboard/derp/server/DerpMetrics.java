package dev.switchboard.derp.server;

import dev.switchboard.derp.PeerGoneReason;
import dev.switchboard.metrics.HotPathCounter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The relay's Micrometer meters, named after derper's expvars under {@code switchboard.derp.*} (Prometheus:
 * {@code switchboard_derp_*_total}). All counters exist from the start, so dashboards see zeros, not gaps.
 * The counters bumped for every packet are {@link HotPathCounter}s.
 */
public final class DerpMetrics {
    // All fields: set in the constructor, then updated from any session's event loop (the meters are thread-safe).
    private final MeterRegistry registry;
    private final Counter accepts;
    private final Counter webSocketAccepts;
    private final LongAdder bytesReceived;
    private final LongAdder bytesSent;
    private final LongAdder packetsReceivedDisco;
    private final LongAdder packetsReceivedOther;
    private final LongAdder packetsSent;
    private final Counter packetsForwardedIn;
    private final LongAdder packetsForwardedOut;
    private final LongAdder forwardsDropped;
    private final Counter pingsReceived;
    private final Counter pongsSent;
    private final Counter homeMovesIn;
    private final Counter homeMovesOut;
    private final Counter duplicateConnections;
    private final Counter writeTimeouts;
    private final Counter refusedPerIp;
    private final Counter backpressurePauses;
    private final Counter unknownFrames;
    private final Map<PeerGoneReason, Counter> peerGoneFrames = new EnumMap<>(PeerGoneReason.class);
    private final Map<DropReason, Counter[]> dropsByReason = new EnumMap<>(DropReason.class);
    private final Map<DropReason, Counter[]> dropBytesByReason = new EnumMap<>(DropReason.class);
    private final Map<String, Counter> closedByError = new ConcurrentHashMap<>();
    private final AtomicLong currentConnections = new AtomicLong();
    private final AtomicLong homeConnections = new AtomicLong();
    private final AtomicLong notIdealConnections = new AtomicLong();
    private final AtomicLong clients = new AtomicLong();
    private final AtomicLong watchers = new AtomicLong();
    private final AtomicLong remotePeers = new AtomicLong();
    private final AtomicLong dupClientKeys = new AtomicLong();
    private final AtomicLong dupClientConns = new AtomicLong();

    public DerpMetrics(MeterRegistry registry) {
        this.registry = registry;
        accepts = counter("switchboard.derp.accepts", "DERP connections accepted (all transports)");
        webSocketAccepts = counter("switchboard.derp.websocket.accepts", "DERP connections accepted over WebSocket");
        bytesReceived = HotPathCounter.register(registry, "switchboard.derp.received", "bytes",
                "Packet bytes received from clients");
        bytesSent = HotPathCounter.register(registry, "switchboard.derp.sent", "bytes",
                "Packet bytes delivered to clients");
        packetsReceivedDisco = HotPathCounter.register(registry, "switchboard.derp.packets.received", null,
                "Packets received from clients", "kind", "disco");
        packetsReceivedOther = HotPathCounter.register(registry, "switchboard.derp.packets.received", null,
                "Packets received from clients", "kind", "other");
        packetsSent = HotPathCounter.register(registry, "switchboard.derp.packets.sent", null,
                "Packets delivered to clients");
        packetsForwardedIn = counter("switchboard.derp.packets.forwarded.in", "ForwardPacket frames from mesh peers");
        packetsForwardedOut = HotPathCounter.register(registry, "switchboard.derp.packets.forwarded.out", null,
                "Packets for keys on a sibling relay sent on our mesh link to it");
        forwardsDropped = HotPathCounter.register(registry, "switchboard.derp.packets.forward.dropped", null,
                "Packets for keys on a sibling relay dropped because the mesh link was down or full");
        pingsReceived = counter("switchboard.derp.pings.received", "Ping frames received");
        pongsSent = counter("switchboard.derp.pongs.sent", "Pong frames sent");
        homeMovesIn = Counter.builder("switchboard.derp.home.moves").tag("direction", "in")
                .description("Clients that made this relay their home").register(registry);
        homeMovesOut = Counter.builder("switchboard.derp.home.moves").tag("direction", "out")
                .description("Clients that stopped using this relay as home").register(registry);
        duplicateConnections = counter("switchboard.derp.duplicate.connections",
                "Connections that joined a key already connected");
        writeTimeouts = counter("switchboard.derp.write.timeouts", "Connections closed because writes stalled");
        refusedPerIp = counter("switchboard.derp.refused.per.ip",
                "Upgrades refused because the source IP held CODER_DERP_SERVER_MAX_CONNECTIONS_PER_IP connections");
        backpressurePauses = counter("switchboard.derp.backpressure.pauses",
                "Times a sender was paused behind a full destination queue");
        unknownFrames = counter("switchboard.derp.unknown.frames", "Frames of types the server skips");
        for (PeerGoneReason reason : PeerGoneReason.values()) {
            peerGoneFrames.put(reason, Counter.builder("switchboard.derp.peer.gone.frames")
                    .tag("reason", reason.name().toLowerCase()).description("PeerGone frames sent").register(registry));
        }
        for (DropReason reason : DropReason.values()) {
            dropsByReason.put(reason, new Counter[]{drop(reason, "disco", false), drop(reason, "other", false)});
            dropBytesByReason.put(reason, new Counter[]{drop(reason, "disco", true), drop(reason, "other", true)});
        }
        gauge("switchboard.derp.connections", currentConnections, "Open DERP connections");
        gauge("switchboard.derp.home.connections", homeConnections, "Connections whose client calls this relay home");
        gauge("switchboard.derp.notideal.connections", notIdealConnections,
                "Connections that sent Ideal-Node (client is not on its region's first node)");
        gauge("switchboard.derp.clients", clients, "Distinct keys connected");
        gauge("switchboard.derp.watchers", watchers, "Mesh watchers");
        gauge("switchboard.derp.remote.peers", remotePeers, "Keys reachable through mesh links to sibling relays");
        gauge("switchboard.derp.dup.client.keys", dupClientKeys, "Keys with more than one connection");
        gauge("switchboard.derp.dup.client.conns", dupClientConns, "Connections of keys with more than one");
    }

    // ---- events (any thread) ------------------------------------------------------------------------------------

    /** A transport handed over a connection for the DERP handshake. */
    void clientAccepted() {
        accepts.increment();
    }

    /** The accepted connection came over WebSocket (derper's {@code derp_websocket_accepts}). */
    void webSocketAccepted() {
        webSocketAccepts.increment();
    }

    /**
     * A handshaken connection joined its key's set, which now has {@code setSize} connections; the second one
     * makes the key a duplicate (two connections), each later one adds one more.
     */
    void connectionRegistered(int setSize) {
        currentConnections.incrementAndGet();
        if (setSize == 1) {
            clients.incrementAndGet();
            return;
        }
        duplicateConnections.increment();
        dupClientConns.addAndGet(setSize == 2 ? 2 : 1);
        if (setSize == 2) {
            dupClientKeys.incrementAndGet();
        }
    }

    /** A connection left its key's set, which had {@code setSizeBefore} connections. */
    void connectionUnregistered(int setSizeBefore) {
        currentConnections.decrementAndGet();
        if (setSizeBefore == 2) {
            dupClientKeys.decrementAndGet();
            dupClientConns.addAndGet(-2);
        } else if (setSizeBefore > 2) {
            dupClientConns.decrementAndGet();
        } else if (setSizeBefore == 1) {
            clients.decrementAndGet();
        }
    }

    /** A connection that sent Ideal-Node (its client is not on the region's first node) opened or closed. */
    void notIdealConnection(boolean opened) {
        notIdealConnections.addAndGet(opened ? 1 : -1);
    }

    void watchersChanged(int count) {
        watchers.set(count);
    }

    void remotePeersChanged(int count) {
        remotePeers.set(count);
    }

    /** A packet for a key on a sibling relay: sent on the mesh link, or dropped there. */
    void packetForwardedOut(boolean sent) {
        (sent ? packetsForwardedOut : forwardsDropped).increment();
    }

    public long packetsForwardedOut() {
        return packetsForwardedOut.sum();
    }

    /** NotePreferred changed a connection's home flag (or a home connection closed: {@code preferred} false). */
    void homeChanged(boolean preferred) {
        homeConnections.addAndGet(preferred ? 1 : -1);
    }

    /** A client moved its home to ({@code in}) or away from this relay, after the post-connect grace. */
    void homeMoved(boolean in) {
        (in ? homeMovesIn : homeMovesOut).increment();
    }

    void packetReceived(boolean disco, int bytes) {
        (disco ? packetsReceivedDisco : packetsReceivedOther).increment();
        bytesReceived.add(bytes);
    }

    /** A mesh peer's ForwardPacket arrived (counted here as well as in {@link #packetReceived}). */
    void packetForwardedIn() {
        packetsForwardedIn.increment();
    }

    /** A RecvPacket frame carrying {@code bytes} packet bytes was handed to a client's transport. */
    void packetSent(int bytes) {
        packetsSent.increment();
        bytesSent.add(bytes);
    }

    void packetDropped(DropReason reason, boolean disco, int bytes) {
        int kind = disco ? 0 : 1;
        dropsByReason.get(reason)[kind].increment();
        dropBytesByReason.get(reason)[kind].increment(bytes);
    }

    void pingReceived() {
        pingsReceived.increment();
    }

    void pongSent() {
        pongsSent.increment();
    }

    void peerGoneSent(PeerGoneReason reason) {
        peerGoneFrames.get(reason).increment();
    }

    /** A sender was paused behind a full destination queue. */
    void senderPaused() {
        backpressurePauses.increment();
    }

    /** An upgrade was refused: its source IP already held the maximum of connections. */
    void connectionRefusedPerIp() {
        refusedPerIp.increment();
    }

    public long refusedPerIp() {
        return (long) refusedPerIp.count();
    }

    /** A connection was closed because its transport stayed unwritable past the write timeout. */
    void writeTimedOut() {
        writeTimeouts.increment();
    }

    /** A handshaken client sent a frame of a type the server skips. */
    void unknownFrame() {
        unknownFrames.increment();
    }

    /** A connection closed because it broke the protocol; {@code reason} is a short snake_case label. */
    void closedByError(String reason) {
        closedByError.computeIfAbsent(reason, r -> Counter.builder("switchboard.derp.connections.rejected")
                .tag("reason", r).description("Connections closed for a protocol error or failed handshake")
                .register(registry)).increment();
    }

    // ---- readings (for tests, health and the load tools) --------------------------------------------------------

    /** Count of drops for one reason and kind, for tests and the load tools. */
    public double drops(DropReason reason, boolean disco) {
        return dropsByReason.get(reason)[disco ? 0 : 1].count();
    }

    public double rejections(String reason) {
        Counter counter = closedByError.get(reason);
        return counter == null ? 0 : counter.count();
    }

    public long currentConnections() {
        return currentConnections.get();
    }

    public long homeConnections() {
        return homeConnections.get();
    }

    public double homeMoves(boolean in) {
        return (in ? homeMovesIn : homeMovesOut).count();
    }

    public double backpressurePauses() {
        return backpressurePauses.count();
    }

    public double writeTimeouts() {
        return writeTimeouts.count();
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    private Counter drop(DropReason reason, String kind, boolean bytes) {
        return Counter.builder(bytes ? "switchboard.derp.dropped" : "switchboard.derp.packets.dropped")
                .baseUnit(bytes ? "bytes" : null).tag("reason", reason.label()).tag("kind", kind)
                .description(bytes ? "Bytes of dropped packets" : "Packets dropped").register(registry);
    }

    private void gauge(String name, AtomicLong value, String description) {
        Gauge.builder(name, value, AtomicLong::get).description(description).register(registry);
    }
}
