package dev.switchboard.tailnet.tcp;

import dev.switchboard.tailnet.ip.InternetChecksum;
import dev.switchboard.tailnet.ip.IpPacket;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.IntPredicate;
import java.util.random.RandomGenerator;

/**
 * The userspace TCP endpoint for one tailnet address (IPv6, optionally IPv4 too), like the gVisor
 * netstack Coder's tailnet runs: decrypted IP packets come in through {@link #onPacket}, are
 * demultiplexed by 4-tuple to a {@link TcpConnection} or offered to a {@link TcpListener}, and
 * everything sent goes to the {@link PacketSink} as checksummed IP packets. Segments for no
 * connection get the RST of RFC 9293 §3.10.7.1, rate-limited. Connections are bounded in total and
 * per peer, listeners by their backlog, so a SYN flood or a stream of strays costs bounded memory.
 * Timers of all connections share one wake-up of the {@link TcpScheduler}. Not thread-safe: one
 * event loop owns the stack, its connections and their sockets.
 */
public final class TcpStack {
    private static final int HOP_LIMIT = 64;
    private static final int SOCKET_SCRATCH = 16 * 1024;

    private record Timer(long deadline, TcpFlow flow) {
    }

    private final byte[] localV6;
    private final byte[] localV4;
    private final TcpStackConfig config;
    private final PacketSink out;
    private final TcpScheduler scheduler;
    private final RandomGenerator random;
    private final byte[] frame = new byte[IpPacket.IPV6_HEADER_LENGTH + TcpSegment.MAX_HEADER_LENGTH + 65_535];
    private final byte[] socketScratch = new byte[SOCKET_SCRATCH];
    private final TcpSegment view = new TcpSegment();
    private final FlowKey probe = new FlowKey();
    private final SegmentSink resetSink = (seq, ack, flags, window, options, data, offset, length) ->
            frame(probe, seq, ack, flags, window, options, data, offset, length);
    private final TcpRejectCounters rejects = new TcpRejectCounters();
    private final long[] drops = new long[TcpStackDrop.values().length];
    private final Map<FlowKey, TcpFlow> flows = new HashMap<>();
    private final Map<ByteBuffer, Integer> perPeer = new HashMap<>();
    private final Map<Integer, TcpListener> listeners = new HashMap<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>((x, y) -> Long.compare(x.deadline, y.deadline));
    // owned by the stack's event loop
    private TcpListener wildcard;
    private IntPredicate wildcardPorts = port -> false;
    private long requestedWake = Long.MAX_VALUE;
    private double resetTokens;
    private long resetRefilledAt;
    private int ipv4Identification;

    /** {@code localV4} may be null for an IPv6-only stack. */
    public TcpStack(byte[] localV6, byte[] localV4, TcpStackConfig config, PacketSink out, TcpScheduler scheduler,
                    RandomGenerator random) {
        this.localV6 = localV6.clone();
        this.localV4 = localV4 == null ? null : localV4.clone();
        this.config = config;
        this.out = out;
        this.scheduler = scheduler;
        this.random = random;
        this.resetTokens = config.resetsPerSecond();
        this.resetRefilledAt = scheduler.nanoTime();
    }

    /** Passive OPEN on {@code port}; at most {@code backlog} connections half-open or unaccepted. */
    public TcpListener listen(int port, int backlog) {
        if (listeners.containsKey(port)) {
            throw new IllegalStateException("port " + port + " already has a listener");
        }
        TcpListener l = new TcpListener(this, port, backlog);
        listeners.put(port, l);
        return l;
    }

    /**
     * Passive OPEN on every port {@code ports} accepts that has no listener of its own, as the agent's
     * port forwarding takes any port of its address (Tailscale {@code wgengine/netstack} {@code
     * ForwardTCPIn}); a SYN to a port it refuses gets the RST of a closed port. The accepted socket's
     * {@link TcpSocket#localPort} is the port the peer asked for. One per stack.
     */
    public TcpListener listenAll(IntPredicate ports, int backlog) {
        if (wildcard != null) {
            throw new IllegalStateException("the stack already listens on every port");
        }
        wildcard = new TcpListener(this, 0, backlog);
        wildcardPorts = ports;
        return wildcard;
    }

    /** Active OPEN to {@code remote} (16 or 4 bytes) from an ephemeral port; completes once established. */
    public Future<TcpSocket> connect(byte[] remote, int port) {
        ByteBuffer peer = ByteBuffer.wrap(remote.clone());
        TcpStackDrop refused = admit(peer);
        if (refused != null) {
            return Future.failedFuture(new TcpException("refused by the stack: " + refused));
        }
        int localPort = ephemeralPort(remote, port);
        if (localPort < 0) {
            count(TcpStackDrop.NO_EPHEMERAL_PORT);
            return Future.failedFuture(new TcpException("no free ephemeral port"));
        }
        TcpFlow flow = open(new FlowKey().set(remote, 0, remote.length, port, localPort), peer, null);
        flow.connecting = Promise.promise();
        flow.connection.connect();
        afterEvent(flow);
        return flow.connecting.future();
    }

    /** One decrypted IP packet from the tunnel. */
    public void onPacket(byte[] bytes, int offset, int length) {
        if (!(IpPacket.parse(bytes, offset, length) instanceof IpPacket.Parsed.Accepted accepted)
                || !toUs(accepted.packet())) {
            count(TcpStackDrop.NOT_FOR_US);
            return;
        }
        IpPacket ip = accepted.packet();
        if (rejects.drop(view.wrap(ip))) {
            count(TcpStackDrop.MALFORMED);
            return;
        }
        probe.set(bytes, ip.sourceOffset(), ip.addressLength(), view.sourcePort(), view.destinationPort());
        TcpFlow flow = flows.get(probe);
        if (flow != null) {
            flow.connection.onSegment(view);
            afterEvent(flow);
            return;
        }
        TcpListener listener = listenerFor(view.destinationPort());
        int control = view.flags() & (TcpSegment.SYN | TcpSegment.ACK | TcpSegment.RST);
        if (listener != null && control == TcpSegment.SYN) {
            onSyn(listener, ip);
        } else if (view.has(TcpSegment.RST)) {
            count(TcpStackDrop.NO_CONNECTION_RST);
        } else if (takeResetToken()) {
            TcpReset.reply(view, resetSink);
            count(TcpStackDrop.NO_CONNECTION_RESET);
        } else {
            count(TcpStackDrop.RESET_RATE_LIMITED);
        }
    }

    /** Runs the timers that are due; the owner calls it when the scheduler wakes it. */
    public void onTimer() {
        long now = scheduler.nanoTime();
        requestedWake = Long.MAX_VALUE;
        for (int budget = timers.size(); budget > 0 && !timers.isEmpty() && timers.peek().deadline - now <= 0;
             budget--) {
            Timer t = timers.poll();
            if (t.flow.removed || t.flow.scheduled != t.deadline) {
                continue; // superseded by a later deadline
            }
            t.flow.scheduled = Long.MAX_VALUE;
            t.flow.connection.onTimer();
            afterEvent(t.flow);
        }
        armWake();
    }

    public long dropped(TcpStackDrop reason) {
        return drops[reason.ordinal()];
    }

    public TcpRejectCounters rejects() {
        return rejects;
    }

    public int connections() {
        return flows.size();
    }

    /** Connections in all states for one peer address. */
    public int connections(byte[] peer) {
        return perPeer.getOrDefault(ByteBuffer.wrap(peer), 0);
    }

    // ---- for TcpSocket and TcpListener ----

    /** After anything touched a flow: move stream data, hand it over, reschedule, reap it when closed. */
    void afterEvent(TcpFlow flow) {
        if (flow.removed) {
            return;
        }
        TcpConnection c = flow.connection;
        if (flow.listener != null && !flow.socket.isAccepted() && c.state().synchronizedState()
                && !flow.socket.isQueuedForAccept()) {
            flow.socket.queuedForAccept();
            flow.listener.established(flow.socket);
        }
        if (flow.connecting != null && (c.state().synchronizedState() || c.state() == TcpState.CLOSED)) {
            Promise<TcpSocket> p = flow.connecting;
            flow.connecting = null;
            if (c.state() == TcpState.CLOSED) {
                p.fail(new TcpException("connect: " + c.error()));
            } else {
                p.complete(flow.socket);
            }
        }
        flow.socket.pump();
        if (flow.removed) {
            return; // a handler's own call (a reset, say) already reaped it
        }
        if (c.state() == TcpState.CLOSED) {
            remove(flow);
            return;
        }
        long deadline = c.nextDeadlineNanos();
        if (deadline != flow.scheduled) {
            flow.scheduled = deadline;
            if (deadline != Long.MAX_VALUE) {
                timers.add(new Timer(deadline, flow));
            }
        }
        armWake();
    }

    void unlisten(TcpListener listener) {
        listeners.remove(listener.port(), listener);
        if (listener == wildcard) {
            wildcard = null;
            wildcardPorts = port -> false;
        }
    }

    // ---- private ----

    private TcpListener listenerFor(int port) {
        TcpListener own = listeners.get(port);
        return own != null || !wildcardPorts.test(port) ? own : wildcard;
    }

    private void onSyn(TcpListener listener, IpPacket ip) {
        if (listener.full()) {
            count(TcpStackDrop.BACKLOG_FULL);
            return;
        }
        ByteBuffer peer = ByteBuffer.wrap(ip.source());
        TcpStackDrop refused = admit(peer);
        if (refused != null) {
            return;
        }
        TcpFlow flow = open(probe.copy(), peer, listener);
        listener.halfOpen();
        flow.connection.listen();
        flow.connection.onSegment(view);
        afterEvent(flow);
    }

    /** The connection limits (counted when they refuse), null when a new connection fits. */
    private TcpStackDrop admit(ByteBuffer peer) {
        TcpStackDrop refused = null;
        if (flows.size() >= config.maxConnections()) {
            evictTimeWait();
        }
        if (flows.size() >= config.maxConnections()) {
            refused = TcpStackDrop.TOTAL_LIMIT;
        } else if (perPeer.getOrDefault(peer, 0) >= config.maxPerPeer()) {
            refused = TcpStackDrop.PEER_LIMIT;
        }
        if (refused != null) {
            count(refused);
        }
        return refused;
    }

    /**
     * The table is full: a connection in TIME_WAIT gives way to a new one, the one closest to its
     * end first, as Linux drops TIME_WAIT sockets past tcp_max_tw_buckets; its only job left is
     * acknowledging a retransmitted FIN, which then draws a RST instead. O(connections), and only
     * when the table is full.
     */
    private void evictTimeWait() {
        TcpFlow oldest = null;
        for (TcpFlow f : flows.values()) {
            if (f.connection.state() == TcpState.TIME_WAIT
                    && (oldest == null || f.connection.nextDeadlineNanos() - oldest.connection.nextDeadlineNanos() < 0)) {
                oldest = f;
            }
        }
        if (oldest != null) {
            count(TcpStackDrop.TIME_WAIT_EVICTED);
            remove(oldest);
        }
    }

    private TcpFlow open(FlowKey key, ByteBuffer peer, TcpListener listener) {
        SegmentSink sink = (seq, ack, flags, window, options, data, offset, length) ->
                frame(key, seq, ack, flags, window, options, data, offset, length);
        // RFC 9293 §3.4.1 / RFC 6528: an ISS an off-path attacker cannot predict
        TcpFlow flow = new TcpFlow(this, key, peer, config.connection(), sink, random.nextInt(), listener,
                socketScratch, scheduler::nanoTime);
        flows.put(key, flow);
        perPeer.merge(peer, 1, Integer::sum);
        return flow;
    }

    private void remove(TcpFlow flow) {
        if (flow.removed) {
            return;
        }
        flow.removed = true;
        flows.remove(flow.key);
        perPeer.computeIfPresent(flow.peer, (k, n) -> n == 1 ? null : n - 1);
        if (flow.listener != null && !flow.socket.isAccepted()) {
            flow.listener.abandoned(flow.socket);
        }
        if (timers.size() > 2 * flows.size() + 64) {
            timers.removeIf(t -> t.flow.removed || t.flow.scheduled != t.deadline); // bound stale entries
        }
    }

    /**
     * RFC 6056 §3.3.1 (Algorithm 1, simple port randomization): start at a random point of the
     * ephemeral range and take the first port whose 4-tuple is free and has no listener.
     */
    private int ephemeralPort(byte[] remote, int remotePort) {
        int first = config.firstEphemeralPort();
        int range = config.lastEphemeralPort() - first + 1;
        int start = random.nextInt(range);
        FlowKey candidate = new FlowKey();
        for (int i = 0; i < range; i++) {
            int port = first + (start + i) % range;
            if (!listeners.containsKey(port)
                    && !flows.containsKey(candidate.set(remote, 0, remote.length, remotePort, port))) {
                return port;
            }
        }
        return -1;
    }

    private boolean toUs(IpPacket ip) {
        byte[] local = ip.version() == 6 ? localV6 : localV4;
        return local != null && Arrays.equals(ip.bytes(), ip.destinationOffset(),
                ip.destinationOffset() + ip.addressLength(), local, 0, local.length);
    }

    /** Token bucket: {@code resetsPerSecond} per second, bursting to as many. */
    private boolean takeResetToken() {
        long now = scheduler.nanoTime();
        int rate = config.resetsPerSecond();
        resetTokens = Math.min(rate, resetTokens + (now - resetRefilledAt) * rate / 1e9);
        resetRefilledAt = now;
        if (resetTokens < 1) {
            return false;
        }
        resetTokens--;
        return true;
    }

    private void armWake() {
        while (!timers.isEmpty() && (timers.peek().flow.removed || timers.peek().flow.scheduled != timers.peek().deadline)) {
            timers.poll();
        }
        long next = timers.isEmpty() ? Long.MAX_VALUE : timers.peek().deadline;
        if (next != requestedWake && next != Long.MAX_VALUE) {
            requestedWake = next;
            scheduler.wakeAt(next);
        }
    }

    /** Frames one segment for {@code key} as an IP packet with checksums and hands it to the sink. */
    private void frame(FlowKey key, int seq, int ack, int flags, int window, TcpOptions options, byte[] data,
                       int offset, int length) {
        boolean v6 = key.remoteLength() == 16;
        int ipHeader = v6 ? IpPacket.IPV6_HEADER_LENGTH : IpPacket.IPV4_MIN_HEADER_LENGTH;
        int tcpHeader = TcpSegment.writeHeader(frame, ipHeader, key.localPort(), key.remotePort(), seq, ack, flags,
                window, options);
        System.arraycopy(data, offset, frame, ipHeader + tcpHeader, length);
        int segment = tcpHeader + length;
        byte[] remote = key.remoteBytes();
        InternetChecksum pseudo = new InternetChecksum();
        if (v6) {
            IpPacket.writeIpv6Header(frame, 0, segment, IpPacket.PROTOCOL_TCP, HOP_LIMIT, localV6, remote);
            pseudo.addIpv6PseudoHeader(localV6, 0, remote, 0, segment, IpPacket.PROTOCOL_TCP);
        } else {
            IpPacket.writeIpv4Header(frame, 0, segment, IpPacket.PROTOCOL_TCP, HOP_LIMIT, ipv4Identification++,
                    localV4, remote);
            pseudo.addIpv4PseudoHeader(localV4, 0, remote, 0, IpPacket.PROTOCOL_TCP, segment);
        }
        TcpSegment.writeChecksum(frame, ipHeader, segment, pseudo);
        out.send(frame, 0, ipHeader + segment);
    }

    private void count(TcpStackDrop reason) {
        drops[reason.ordinal()]++;
    }
}
