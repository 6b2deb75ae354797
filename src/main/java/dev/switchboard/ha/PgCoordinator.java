package dev.switchboard.ha;

import dev.switchboard.coordinator.Coordinator;
import dev.switchboard.coordinator.Replication;
import dev.switchboard.coordinator.proto.Node;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The coordinator across replicas sharing PostgreSQL, after Coder's pgcoord ({@code enterprise/tailnet/pgcoord.go}):
 * the {@link Coordinator}'s rules stay where they are, this is its {@link Replication}. Local peers' states are
 * written behind, coalesced per peer ({@link PeerWrites}), with a {@code NOTIFY} hint per affected peer; hints from
 * other coordinators make the interested local peers re-read their remote tunnel peers from the database (the
 * truth), as does a periodic full re-read. A heartbeat every 2 s keeps this coordinator alive for the others;
 * another one that misses 3 beats has its peers LOST here. After 3 failed heartbeat writes this coordinator is
 * unhealthy: every stream ends with {@code coordinator unhealthy} and new ones are refused until a beat succeeds.
 * Everything runs on Vert.x futures; no thread waits for the database.
 */
public final class PgCoordinator implements Replication {
    private static final Logger LOG = Logger.getLogger(PgCoordinator.class);
    static final String UNHEALTHY = "coordinator unhealthy";
    private static final int REFRESH_BATCH = 500;
    private static final int CLEANUP_BATCH = 100;

    private final Vertx vertx;
    private final CoordinatorStore store;
    private final PgConnectOptions listenOptions;
    private final Coordinator coordinator;
    private final CoordinatorTimings timings;
    private final PeerWrites<State> writes;
    private final Set<UUID> dirty = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final AtomicBoolean beating = new AtomicBoolean();
    private final AtomicInteger failures = new AtomicInteger();
    /** The last tunnel set written per local peer: a changed one needs a re-read of its (remote) destinations. */
    private final Map<UUID, Set<UUID>> tunnels = new ConcurrentHashMap<>();
    private final LongAdder dropped = new LongAdder();
    private volatile Set<UUID> aliveCoordinators;
    private volatile boolean unhealthy;
    private volatile boolean stopped;
    private final List<Long> timers = new ArrayList<>();
    private long cleanupTimer = -1;
    private PgSubscriber subscriber;

    /** What the other replicas should see of one local peer; {@code node} null: none sent yet. */
    record State(byte[] node, byte[] nodeKey, boolean lost, Set<UUID> tunnels, boolean disconnected) {
    }

    /** @param listenOptions where LISTEN connects (its own connection beside the pool) */
    public PgCoordinator(Vertx vertx, Pool pool, PgConnectOptions listenOptions, Coordinator coordinator,
                         CoordinatorTimings timings, MeterRegistry metrics) {
        this.vertx = vertx;
        this.store = new CoordinatorStore(pool, UUID.randomUUID(), metrics);
        this.listenOptions = listenOptions;
        this.coordinator = coordinator;
        this.timings = timings;
        this.writes = new PeerWrites<>(vertx, this::write);
        FunctionCounter.builder("switchboard.coordinator.shared.dropped", dropped, LongAdder::sum)
                .description("Peer rows and notifications from the database that could not be parsed")
                .register(metrics);
    }

    /** Writes the first beat (whether or not it reaches the database), then shares the coordinator. */
    public synchronized Future<Void> start() {
        // Peer rows reference this coordinator's row: share once the first beat has written it (or failed trying).
        Future<Void> first = beat().onComplete(r -> coordinator.replicateWith(this));
        long heartbeat = timings.heartbeat().toMillis();
        timers.add(vertx.setPeriodic(heartbeat, id -> beat()));
        // Expiry is checked twice per beat, so another coordinator's peers are LOST at most ~1 s after it expired.
        timers.add(vertx.setPeriodic(Math.max(1, heartbeat / 2), id -> checkExpiry()));
        timers.add(vertx.setPeriodic(timings.resync().toMillis(), id -> resyncAll()));
        cleanupTimer = vertx.setTimer(heartbeat, id -> cleanUp());
        listen();
        LOG.infof("Coordinator %s shares its peers through the database", store.self());
        return first;
    }

    private void listen() {
        subscriber = PgSubscriber.subscriber(vertx, listenOptions);
        subscriber.reconnectPolicy(retries -> timings.heartbeat().toMillis());
        subscriber.channel(CoordinatorStore.PEER_CHANNEL).handler(this::onPeerHint)
                .subscribeHandler(v -> resyncAll()); // (re)connected: hints may have been missed meanwhile
        subscriber.channel(CoordinatorStore.HANDSHAKE_CHANNEL).handler(this::onHandshake);
        subscriber.connect().onFailure(e -> LOG.debugf("LISTEN %s not connected (%s); periodic re-reads only",
                CoordinatorStore.PEER_CHANNEL, e.getMessage()));
    }

    // ---- Replication: called under the coordinator lock, so only recorded here.

    @Override
    public void changed(UUID id, Node node, boolean lost, Set<UUID> dsts) {
        writes.submit(id, new State(node == null ? null : node.toByteArray(),
                node == null ? null : node.getKey().toByteArray(), lost, dsts, false));
        if (lost) {
            tunnels.remove(id);
        } else if (!dsts.equals(tunnels.put(id, dsts)) && !dsts.isEmpty()) {
            refresh(Set.of(id)); // a new destination may be on another replica: read its node
        }
    }

    @Override
    public void disconnected(UUID id) {
        tunnels.remove(id);
        writes.submit(id, new State(null, null, false, Set.of(), true));
    }

    @Override
    public void connected(UUID id) {
        refresh(Set.of(id));
    }

    @Override
    public void readyForHandshake(UUID src, UUID dst) {
        store.readyForHandshake(src, dst).onFailure(e -> LOG.debugf("ready_for_handshake not published: %s",
                e.getMessage()));
    }

    private Future<Void> write(UUID id, State state) {
        return state.disconnected() ? store.delete(id)
                : store.write(id, state.node(), state.nodeKey(), state.lost(), state.tunnels());
    }

    // ---- Reading the shared state.

    private void onPeerHint(String payload) {
        int comma = payload.indexOf(',');
        UUID origin = comma < 0 ? null : uuid(payload.substring(0, comma));
        UUID peer = comma < 0 ? null : uuid(payload.substring(comma + 1));
        if (origin == null || peer == null) {
            dropped.increment();
        } else if (!origin.equals(store.self())) {
            refresh(coordinator.shared().interestedIn(peer));
        }
    }

    private void onHandshake(String payload) {
        int comma = payload.indexOf(',');
        UUID dst = comma < 0 ? null : uuid(payload.substring(0, comma));
        UUID src = comma < 0 ? null : uuid(payload.substring(comma + 1));
        if (dst == null || src == null) {
            dropped.increment();
        } else {
            coordinator.shared().deliverReadyForHandshake(src, dst);
        }
    }

    private void resyncAll() {
        refresh(coordinator.shared().peerIds());
    }

    private void refresh(Set<UUID> ids) {
        if (ids.isEmpty() || stopped) {
            return;
        }
        dirty.addAll(ids);
        vertx.runOnContext(v -> pumpRefresh()); // never from inside the coordinator lock holder's call
    }

    /** One batched read at a time; peers marked meanwhile go in the next. */
    private void pumpRefresh() {
        if (stopped || unhealthy || dirty.isEmpty() || !refreshing.compareAndSet(false, true)) {
            return;
        }
        List<UUID> batch = new ArrayList<>();
        for (Iterator<UUID> it = dirty.iterator(); it.hasNext() && batch.size() < REFRESH_BATCH; ) {
            batch.add(it.next());
            it.remove();
        }
        Map<UUID, Set<UUID>> outbound = coordinator.shared().remoteDestinations(batch);
        List<UUID[]> pairs = new ArrayList<>();
        outbound.forEach((src, dsts) -> dsts.forEach(dst -> pairs.add(new UUID[]{src, dst})));
        Set<UUID> lookups = outbound.keySet();
        Future<Void> read = lookups.isEmpty() ? Future.succeededFuture()
                : store.bindings(lookups, pairs, timings.expiry())
                .map(rows -> BestMapping.of(lookups, rows, dropped))
                .onSuccess(views -> views.forEach(coordinator.shared()::applyRemote))
                .mapEmpty();
        read.onComplete(r -> {
            refreshing.set(false);
            if (r.failed()) {
                dirty.addAll(lookups);
                LOG.debugf("coordinator re-read failed, retrying: %s", r.cause().getMessage());
                vertx.setTimer(timings.heartbeat().toMillis(), t -> pumpRefresh());
            } else {
                pumpRefresh();
            }
        });
    }

    // ---- Heartbeat, health, expiry, cleanup.

    /** One heartbeat; beats never overlap. */
    Future<Void> beat() {
        if (stopped || !beating.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        return store.beat().compose(v -> unhealthy ? recover() : Future.succeededFuture())
                .onSuccess(v -> failures.set(0))
                .onFailure(this::beatFailed)
                .onComplete(r -> beating.set(false))
                .otherwise(e -> null);
    }

    private void beatFailed(Throwable error) {
        int count = failures.incrementAndGet();
        if (count >= timings.failuresBeforeUnhealthy() && !unhealthy) {
            unhealthy = true;
            LOG.warnf("Coordinator unhealthy after %d failed heartbeats (%s): closing coordinate streams and refusing"
                    + " new ones until the database answers", count, Objects.toString(error.getMessage(), "?"));
            coordinator.refuse(UNHEALTHY);
        }
    }

    /**
     * The database answers again. The others saw this coordinator expire and its peers LOST; its rows are marked
     * lost for good (its streams were closed meanwhile) before new peers are accepted.
     */
    private Future<Void> recover() {
        return store.markAllLost(false).onSuccess(v -> {
            unhealthy = false;
            coordinator.accept();
            LOG.infof("Coordinator healthy again: accepting coordinate streams");
        });
    }

    private void checkExpiry() {
        if (stopped || unhealthy) {
            return;
        }
        store.alive(timings.expiry()).onSuccess(alive -> {
            alive.remove(store.self());
            Set<UUID> before = aliveCoordinators;
            aliveCoordinators = alive;
            if (before != null && !before.equals(alive)) {
                resyncAll(); // one expired (its peers become LOST) or came back
            }
        });
    }

    private void cleanUp() {
        if (stopped) {
            return;
        }
        store.cleanUp(timings.retention(), CLEANUP_BATCH).onComplete(r -> {
            // A full batch means more is waiting: the next one soon, but never a storm (coder/coder #12923).
            boolean more = r.succeeded() && r.result() >= CLEANUP_BATCH;
            synchronized (this) {
                if (!stopped) {
                    cleanupTimer = vertx.setTimer(more ? 1000 : timings.cleanupInterval().toMillis(), id -> cleanUp());
                }
            }
        });
    }

    /**
     * Graceful shutdown: stops beating, lets the pending writes finish (briefly), then marks this coordinator's
     * peers LOST and itself stopped, so the others keep their last nodes; nothing another replica needs is deleted.
     */
    public Future<Void> stop() {
        synchronized (this) {
            if (stopped) {
                return Future.succeededFuture();
            }
            stopped = true;
            timers.forEach(vertx::cancelTimer);
            vertx.cancelTimer(cleanupTimer);
            if (subscriber != null) {
                subscriber.close();
            }
        }
        coordinator.replicateWith(Replication.NONE);
        Promise<Void> flushed = Promise.promise();
        long timer = vertx.setTimer(timings.heartbeat().toMillis() * 2, t -> flushed.tryComplete());
        writes.idle().onComplete(r -> {
            vertx.cancelTimer(timer);
            flushed.tryComplete();
        });
        return flushed.future().compose(v -> store.markAllLost(true));
    }

    /** Whether a peer on any replica announced this node key (34-byte {@code Node.key}); for relay admission. */
    public Future<Boolean> announced(byte[] nodeKey) {
        return store.announced(nodeKey);
    }

    /** False from the 3rd failed heartbeat write in a row until a beat succeeds again. */
    public boolean healthy() {
        return !unhealthy;
    }

    public int consecutiveFailures() {
        return failures.get();
    }

    /** Local peer states not yet written. */
    public int pendingWrites() {
        return writes.waiting();
    }

    public UUID id() {
        return store.self();
    }

    private static UUID uuid(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
