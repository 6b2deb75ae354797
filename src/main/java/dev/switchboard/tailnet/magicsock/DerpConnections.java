package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.derp.client.DerpMessage;
import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpRegion;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * magicsock's DERP clients, one per region ({@code magicsock.go derpWriteChanOfAddr}, {@code runDerpReader},
 * {@code cleanStaleDerp}): the home region always, a peer's region on demand, idle non-home ones closed after
 * {@link MagicsockConstants#DERP_INACTIVE_CLEANUP_TIME}. {@link DerpRoutes} decides; this class owns the sockets.
 * Writes queue while a region dials and are dropped (counted) beyond
 * {@link MagicsockConstants#BUFFERED_DERP_WRITES_BEFORE_DROP}, or when the socket's buffer is full: never blocking.
 *
 * <p>Owned by the magicsock event loop: every field and method, DERP clients included (they run on its context).
 */
final class DerpConnections {
    private static final Logger LOG = Logger.getLogger(DerpConnections.class);
    private static final long CLEAN_STALE_MS = MagicsockConstants.DERP_CLEAN_STALE_INTERVAL.toMillis();
    /** Home redial delay after a loss; Tailscale's {@code derphttp} reconnects with a similar short backoff. */
    private static final long HOME_REDIAL_MS = 1000;

    /** A packet relayed to us: {@code region} it arrived through, {@code source} node key, the payload. */
    interface Receiver {
        void onDerpPacket(DerpMagicAddress region, NodeKey source, Buffer payload);
    }

    private record Pending(NodeKey dst, Buffer packet) {
    }

    private static final class Region {
        final int id;
        DerpClient client;
        final ArrayDeque<Pending> pending = new ArrayDeque<>();

        Region(int id) {
            this.id = id;
        }
    }

    private final Vertx vertx;
    private final Context context;
    private final NodePrivateKey key;
    private final LongSupplier nanoClock;
    private final Drops drops;
    private final Receiver receiver;
    // Owned by the event loop.
    private final DerpRoutes routes = new DerpRoutes();
    private final Map<Integer, Region> open = new HashMap<>();
    private DerpMap map = DerpMap.of(Map.of());
    private boolean webSocket;
    private int home;
    private long cleanTimer = -1;
    private boolean closed;

    DerpConnections(Vertx vertx, Context context, NodePrivateKey key, LongSupplier nanoClock, Drops drops,
                    Receiver receiver) {
        this.vertx = vertx;
        this.context = context;
        this.key = key;
        this.nanoClock = nanoClock;
        this.drops = drops;
        this.receiver = receiver;
    }

    /** A new DERP map ({@code SetDERPMap}); {@code forceWebSocket} is the server's {@code derp_force_websockets}. */
    void setMap(DerpMap newMap, boolean forceWebSocket) {
        map = newMap;
        webSocket = forceWebSocket;
    }

    DerpMap map() {
        return map;
    }

    int home() {
        return home;
    }

    /** Whether the home region's connection is up (the {@code ✔ preferred DERP region} diagnostic). */
    boolean homeConnected() {
        Region r = open.get(home);
        return r != null && r.client != null;
    }

    /** {@code setNearestDERP}: dial the new home if needed; NotePreferred true there and false elsewhere. */
    void setHome(int regionId) {
        home = regionId;
        if (routes.setHome(regionId, nanoClock.getAsLong())) {
            dial(regionId);
        }
        open.values().forEach(r -> {
            if (r.client != null) {
                r.client.notePreferred(r.id == home);
            }
        });
    }

    /** Sends {@code packet} to {@code dst}, whose home is {@code addr}, through the connection DerpRoutes picks. */
    void send(DerpMagicAddress addr, NodeKey dst, Buffer packet) {
        DerpRoutes.Write w = routes.writeTarget(addr, dst, nanoClock.getAsLong());
        if (w.dial()) {
            dial(w.regionId());
            scheduleCleanup();
        }
        Region r = open.get(w.regionId());
        if (r == null) {
            drops.count(MagicDrop.DERP_UNREACHABLE);
        } else if (r.client == null) {
            if (r.pending.size() >= MagicsockConstants.BUFFERED_DERP_WRITES_BEFORE_DROP) {
                drops.count(MagicDrop.DERP_QUEUE_FULL);
            } else {
                r.pending.add(new Pending(dst, packet));
            }
        } else if (r.client.writeQueueFull()) {
            drops.count(MagicDrop.DERP_QUEUE_FULL);
        } else {
            r.client.send(dst, packet);
        }
    }

    void close() {
        closed = true;
        if (cleanTimer >= 0) {
            vertx.cancelTimer(cleanTimer);
        }
        List.copyOf(open.values()).forEach(r -> {
            if (r.client != null) {
                r.client.close();
            }
        });
        open.clear();
    }

    private void dial(int regionId) {
        DerpRegion region = map.regions().get((long) regionId);
        List<DerpClientOptions> nodes = region == null ? List.of() : DerpNodeDial.forRegion(region, key, webSocket);
        Region r = new Region(regionId);
        open.put(regionId, r);
        dialNode(r, nodes, 0);
    }

    /** Tries {@code nodes[i..]} in order (the map's priority), giving up on the region after the last. */
    private void dialNode(Region r, List<DerpClientOptions> nodes, int i) {
        if (i >= nodes.size()) {
            LOG.debugf("DERP region %d: no node reachable", r.id);
            lost(r);
            return;
        }
        DerpClient.connect(vertx, context, nodes.get(i)).onComplete(ar -> {
            if (closed || open.get(r.id) != r) {
                if (ar.succeeded()) {
                    ar.result().close();
                }
            } else if (ar.failed() && !nodes.get(i).webSocket()) {
                // Upgrade: DERP did not work: the same node over WebSocket before the next one, as Coder's fork of
                // derphttp falls back when something in the way (a proxy) does not pass the upgrade; a node that
                // answers there makes WebSocket the way to every region from then on (see connected).
                LOG.debugf("DERP region %d node %s: %s; trying DERP over WebSocket", r.id, nodes.get(i).url(),
                        ar.cause().getMessage());
                List<DerpClientOptions> retry = new ArrayList<>(nodes);
                retry.set(i, nodes.get(i).withWebSocket(true));
                dialNode(r, retry, i);
            } else if (ar.failed()) {
                LOG.debugf("DERP region %d node %s: %s", r.id, nodes.get(i).url(), ar.cause().getMessage());
                dialNode(r, nodes, i + 1);
            } else {
                if (nodes.get(i).webSocket() && !webSocket) {
                    LOG.infof("DERP region %d: Upgrade: DERP did not pass, DERP over WebSocket did; using WebSocket "
                            + "for every region", r.id);
                    webSocket = true;
                }
                connected(r, ar.result());
            }
        });
    }

    private void connected(Region r, DerpClient client) {
        r.client = client;
        LOG.debugf("DERP region %d connected", r.id);
        DerpMagicAddress via = new DerpMagicAddress(r.id);
        client.messageHandler(m -> {
            if (m instanceof DerpMessage.ReceivedPacket p) {
                routes.noteReceived(p.source(), r.id);
                receiver.onDerpPacket(via, p.source(), p.data());
            }
        });
        client.closeFuture().onComplete(v -> {
            if (open.get(r.id) == r) {
                lost(r);
            }
        });
        client.notePreferred(r.id == home);
        for (Pending p; (p = r.pending.poll()) != null; ) {
            client.send(p.dst(), p.packet());
        }
    }

    /** The region's connection failed or closed: forget it; the home region is redialled. */
    private void lost(Region r) {
        r.pending.forEach(p -> drops.count(MagicDrop.DERP_UNREACHABLE));
        r.pending.clear();
        open.remove(r.id);
        routes.closed(r.id);
        if (!closed && r.id == home) {
            vertx.setTimer(HOME_REDIAL_MS, t -> {
                if (!closed && home == r.id && !open.containsKey(r.id)) {
                    setHome(r.id);
                }
            });
        }
    }

    /** Runs {@link DerpRoutes#cleanStale} every 15 s while a non-home region is open. */
    private void scheduleCleanup() {
        if (cleanTimer >= 0) {
            return;
        }
        cleanTimer = vertx.setTimer(CLEAN_STALE_MS, t -> {
            cleanTimer = -1;
            for (int stale : routes.cleanStale(nanoClock.getAsLong())) {
                Region r = open.remove(stale);
                if (r != null && r.client != null) {
                    LOG.debugf("closing idle DERP region %d", stale);
                    r.client.close();
                }
            }
            if (routes.anyNonHomeOpen()) {
                scheduleCleanup();
            }
        });
    }
}
