package dev.switchboard.ha;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * This replica's row in {@code replicas} and the live siblings, after Coder's {@code enterprise/replicasync/
 * replicasync.go}: register at start and publish the id on channel {@code replica}; every heartbeat update the own
 * row, then read the replicas updated within the alive window; re-read at once on a {@code replica} notification
 * (a hint only: the periodic read is the truth, a notification can be lost while the listener reconnects); delete
 * the own row and publish at shutdown. Everything runs on Vert.x futures, no thread ever waits for the database.
 */
public final class ReplicaRegistry {
    private static final Logger LOG = Logger.getLogger(ReplicaRegistry.class);
    private static final int CLEANUP_BATCH = 100;

    private final Vertx vertx;
    private final ReplicaStore store;
    private final PgConnectOptions listenOptions;
    private final Replica.Self self;
    private final HaTimings timings;
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicBoolean beating = new AtomicBoolean();
    private final AtomicBoolean reading = new AtomicBoolean();
    private final AtomicBoolean rereadAgain = new AtomicBoolean();
    private final List<Consumer<List<Replica>>> listeners = new CopyOnWriteArrayList<>();
    private volatile List<Replica> siblings = List.of();
    private volatile String lastError;
    /** The last peer check's failures ("" when every mesh peer answered); written into the row on each beat. */
    private volatile String peerError = "";
    private final AtomicBoolean pinging = new AtomicBoolean();
    private final SiblingPings pings;
    private volatile boolean stopped;
    private volatile Future<Void> currentBeat = Future.succeededFuture();
    private long heartbeatTimer = -1;
    private long cleanupTimer = -1;
    private PgSubscriber subscriber;

    /** @param listenOptions where LISTEN connects (its own connection beside the pool); null: periodic reads only */
    public ReplicaRegistry(Vertx vertx, Pool pool, PgConnectOptions listenOptions, Replica.Self self,
                           HaTimings timings) {
        this.vertx = vertx;
        this.store = new ReplicaStore(pool);
        this.listenOptions = listenOptions;
        this.self = self;
        this.timings = timings;
        this.pings = new SiblingPings(vertx);
    }

    /**
     * Registers and starts the heartbeat. Completes after the first beat whether or not it reached the database: a
     * failed beat counts towards readiness and the next beat retries.
     */
    public synchronized Future<Void> start() {
        heartbeatTimer = vertx.setPeriodic(timings.heartbeat().toMillis(), id -> beat());
        long cleanupMillis = timings.cleanupInterval().toMillis();
        // A random first delay spreads the cleanups of replicas that were started together.
        cleanupTimer = vertx.setTimer(1 + ThreadLocalRandom.current().nextLong(cleanupMillis), id -> cleanUpAndRearm());
        if (listenOptions != null) {
            listen();
        }
        return beat().compose(v -> store.publish(self.id())).otherwise(e -> null);
    }

    private void listen() {
        subscriber = PgSubscriber.subscriber(vertx, listenOptions);
        // Reconnect forever, one heartbeat apart; beats keep the sibling list right meanwhile.
        subscriber.reconnectPolicy(retries -> timings.heartbeat().toMillis());
        subscriber.channel(ReplicaStore.CHANNEL).handler(payload -> {
            if (!self.id().toString().equals(payload)) {
                reread();
            }
        });
        subscriber.connect().onFailure(e -> LOG.debugf("LISTEN %s not connected (%s); periodic reads only until it is",
                ReplicaStore.CHANNEL, e.getMessage()));
    }

    /** One heartbeat: update the own row, then read the siblings. Beats never overlap. */
    Future<Void> beat() {
        if (stopped || !beating.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        Future<Void> beat = store.beat(self, peerError)
                .compose(v -> store.alive(self.id(), seconds(timings)))
                .onSuccess(this::succeeded)
                .onFailure(this::failed)
                .onComplete(r -> beating.set(false))
                .<Void>mapEmpty()
                .otherwise(e -> null);
        currentBeat = beat;
        return beat;
    }

    /** The re-read a notification triggers; one more follows if notifications arrived during a read. */
    private void reread() {
        if (stopped) {
            return;
        }
        if (!reading.compareAndSet(false, true)) {
            rereadAgain.set(true);
            return;
        }
        store.alive(self.id(), seconds(timings)).onSuccess(this::publishSiblings).onComplete(r -> {
            reading.set(false);
            if (rereadAgain.getAndSet(false)) {
                reread();
            }
        });
    }

    private void succeeded(List<Replica> alive) {
        int before = failures.getAndSet(0);
        lastError = null;
        if (before >= timings.failuresBeforeDown()) {
            LOG.infof("Database reachable again after %d failed heartbeats", before);
        }
        publishSiblings(alive);
        pingMeshPeers();
    }

    /** One peer check at a time; a slow one (3 s timeouts) is not stacked under the next beats. */
    private void pingMeshPeers() {
        if (stopped || !pinging.compareAndSet(false, true)) {
            return;
        }
        pings.ping(meshPeers()).onComplete(result -> {
            String error = result.result();
            if (!error.equals(peerError)) {
                if (error.isEmpty()) {
                    LOG.info("Every sibling replica's relay answers again");
                } else {
                    LOG.warn(error);
                }
            }
            peerError = error;
            pinging.set(false);
        });
    }

    private void failed(Throwable error) {
        lastError = Objects.toString(error.getMessage(), error.getClass().getSimpleName());
        int count = failures.incrementAndGet();
        if (count == 1 || count == timings.failuresBeforeDown()) {
            LOG.warnf("Replica heartbeat failed (%d in a row%s): %s", count,
                    count >= timings.failuresBeforeDown() ? ", readiness check database DOWN" : "", lastError);
        }
    }

    private void publishSiblings(List<Replica> alive) {
        List<Replica> previous = siblings;
        siblings = alive;
        if (!key(previous).equals(key(alive))) {
            LOG.infof("Sibling replicas: %s", alive.isEmpty() ? "none"
                    : alive.stream().map(r -> r.hostname() + " " + r.relayUrl()).collect(Collectors.joining(", ")));
            listeners.forEach(listener -> listener.accept(alive));
        }
    }

    /** Who is there and where to reach them; a mere heartbeat of the same siblings is not a change. */
    private static Set<String> key(List<Replica> replicas) {
        return replicas.stream().map(r -> r.id() + " " + r.relayUrl() + " " + r.regionId()).collect(Collectors.toSet());
    }

    private void cleanUpAndRearm() {
        if (stopped) {
            return;
        }
        store.cleanUp(seconds(timings), CLEANUP_BATCH)
                .onSuccess(n -> {
                    if (n > 0) {
                        LOG.debugf("Removed %d stale replica rows", n);
                    }
                })
                .onComplete(r -> {
                    synchronized (this) {
                        if (!stopped) {
                            cleanupTimer = vertx.setTimer(timings.cleanupInterval().toMillis(), id -> cleanUpAndRearm());
                        }
                    }
                });
    }

    /** Stops beating, removes the own row and tells the siblings, who drop it at once instead of after 15 s. */
    public Future<Void> stop() {
        synchronized (this) {
            if (stopped) {
                return Future.succeededFuture();
            }
            stopped = true;
            vertx.cancelTimer(heartbeatTimer);
            vertx.cancelTimer(cleanupTimer);
            if (subscriber != null) {
                subscriber.close();
            }
        }
        // After a beat in flight, which would otherwise write the row again behind the delete.
        return currentBeat.transform(r -> store.delete(self.id())).compose(v -> store.publish(self.id()))
                .eventually(pings::close);
    }

    /** The siblings alive at the last successful read (other replicas, any region). */
    public List<Replica> siblings() {
        return siblings;
    }

    /** The siblings this replica's relay meshes with: same region, with a relay URL (the next step dials them). */
    public List<Replica> meshPeers() {
        return siblings.stream().filter(r -> r.isMeshPeerOf(self)).toList();
    }

    /** Called with the new sibling list whenever who is alive, or where, changes. */
    public void onSiblingsChanged(Consumer<List<Replica>> listener) {
        listeners.add(listener);
    }

    /** False after {@code failuresBeforeDown} heartbeats in a row failed; true again after one succeeds. */
    public boolean healthy() {
        return failures.get() < timings.failuresBeforeDown();
    }

    public int consecutiveFailures() {
        return failures.get();
    }

    /** Which mesh peers' relays did not answer the last latency check, or "" (Coder's replica {@code error}). */
    public String peerError() {
        return peerError;
    }

    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    public Replica.Self self() {
        return self;
    }

    private static double seconds(HaTimings timings) {
        return timings.aliveWindow().toMillis() / 1000.0;
    }
}
