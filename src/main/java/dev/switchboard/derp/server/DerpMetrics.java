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
    private final MeterRegistry registry;
    final Counter accepts;
    final Counter webSocketAccepts;
    final LongAdder bytesReceived;
    final LongAdder bytesSent;
    final LongAdder packetsReceivedDisco;
    final LongAdder packetsReceivedOther;
    final LongAdder packetsSent;
    final Counter packetsForwardedIn;
    final Counter pingsReceived;
    final Counter pongsSent;
    final Counter homeMovesIn;
    final Counter homeMovesOut;
    final Counter duplicateConnections;
    final Counter writeTimeouts;
    final Counter backpressurePauses;
    final Counter unknownFrames;
    private final Map<PeerGoneReason, Counter> peerGoneFrames = new EnumMap<>(PeerGoneReason.class);
    private final Map<DropReason, Counter[]> dropsByReason = new EnumMap<>(DropReason.class);
    private final Map<DropReason, Counter[]> dropBytesByReason = new EnumMap<>(DropReason.class);
    private final Map<String, Counter> closedByError = new ConcurrentHashMap<>();
    final AtomicLong currentConnections = new AtomicLong();
    final AtomicLong homeConnections = new AtomicLong();
    final AtomicLong notIdealConnections = new AtomicLong();
    final AtomicLong clients = new AtomicLong();
    final AtomicLong watchers = new AtomicLong();
    final AtomicLong dupClientKeys = new AtomicLong();
    final AtomicLong dupClientConns = new AtomicLong();

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
        pingsReceived = counter("switchboard.derp.pings.received", "Ping frames received");
        pongsSent = counter("switchboard.derp.pongs.sent", "Pong frames sent");
        homeMovesIn = Counter.builder("switchboard.derp.home.moves").tag("direction", "in")
                .description("Clients that made this relay their home").register(registry);
        homeMovesOut = Counter.builder("switchboard.derp.home.moves").tag("direction", "out")
                .description("Clients that stopped using this relay as home").register(registry);
        duplicateConnections = counter("switchboard.derp.duplicate.connections",
                "Connections that joined a key already connected");
        writeTimeouts = counter("switchboard.derp.write.timeouts", "Connections closed because writes stalled");
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
        gauge("switchboard.derp.dup.client.keys", dupClientKeys, "Keys with more than one connection");
        gauge("switchboard.derp.dup.client.conns", dupClientConns, "Connections of keys with more than one");
    }

    void peerGoneSent(PeerGoneReason reason) {
        peerGoneFrames.get(reason).increment();
    }

    void dropped(DropReason reason, boolean disco, int bytes) {
        int kind = disco ? 0 : 1;
        dropsByReason.get(reason)[kind].increment();
        dropBytesByReason.get(reason)[kind].increment(bytes);
    }

    void packetReceived(boolean disco, int bytes) {
        (disco ? packetsReceivedDisco : packetsReceivedOther).increment();
        bytesReceived.add(bytes);
    }

    /** A connection closed because it broke the protocol; {@code reason} is a short snake_case label. */
    void closedByError(String reason) {
        closedByError.computeIfAbsent(reason, r -> Counter.builder("switchboard.derp.connections.rejected")
                .tag("reason", r).description("Connections closed for a protocol error or failed handshake")
                .register(registry)).increment();
    }

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
