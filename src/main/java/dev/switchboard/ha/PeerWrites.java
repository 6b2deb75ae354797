package dev.switchboard.ha;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * The write-behind of local peers' states, coalesced per peer as pgcoord's binder and tunneler
 * ({@code enterprise/tailnet/pgcoord.go}): only the latest state of a peer is kept, so a reconnect storm costs one
 * write per peer, not one per event; a few peers are written at once, never the same peer twice at once (its writes
 * stay in order); a failed write is retried, with exponential backoff capped at 10 s, unless a newer state replaced
 * it meanwhile. Bounded by the number of local peers (one entry each).
 */
final class PeerWrites<S> {
    private static final Logger LOG = Logger.getLogger(PeerWrites.class);
    private static final int PARALLEL = 4;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final Vertx vertx;
    private final BiFunction<UUID, S, Future<Void>> write;
    /** Guarded by this. */
    private final Map<UUID, S> pending = new LinkedHashMap<>();
    private final Set<UUID> inFlight = new HashSet<>();
    private final List<Promise<Void>> idleWaiters = new ArrayList<>();
    private Duration backoff = FIRST_BACKOFF;
    private boolean pausedForRetry;

    PeerWrites(Vertx vertx, BiFunction<UUID, S, Future<Void>> write) {
        this.vertx = vertx;
        this.write = write;
    }

    /** Replaces whatever was waiting to be written for {@code id}; never blocks (called under the coordinator lock). */
    void submit(UUID id, S state) {
        synchronized (this) {
            pending.remove(id); // re-inserted last: the oldest waiting peer goes first
            pending.put(id, state);
        }
        vertx.runOnContext(v -> pump()); // the I/O starts outside the coordinator lock
    }

    /** Completes when nothing waits or is being written (shutdown flushes before it marks peers lost). */
    Future<Void> idle() {
        synchronized (this) {
            if (pending.isEmpty() && inFlight.isEmpty()) {
                return Future.succeededFuture();
            }
            Promise<Void> promise = Promise.promise();
            idleWaiters.add(promise);
            return promise.future();
        }
    }

    synchronized int waiting() {
        return pending.size() + inFlight.size();
    }

    private void pump() {
        Map<UUID, S> start = new LinkedHashMap<>();
        synchronized (this) {
            Iterator<Map.Entry<UUID, S>> it = pending.entrySet().iterator();
            while (!pausedForRetry && inFlight.size() < PARALLEL && it.hasNext()) {
                Map.Entry<UUID, S> next = it.next();
                if (inFlight.add(next.getKey())) {
                    start.put(next.getKey(), next.getValue());
                    it.remove();
                }
            }
        }
        start.forEach((id, state) -> write.apply(id, state).onComplete(r -> done(id, state, r.cause())));
    }

    private void done(UUID id, S state, Throwable failure) {
        List<Promise<Void>> idle = List.of();
        synchronized (this) {
            inFlight.remove(id);
            if (failure != null) {
                pending.putIfAbsent(id, state); // a newer state supersedes the failed one
                if (!pausedForRetry) {
                    pausedForRetry = true;
                    LOG.debugf("coordinator write failed, retrying in %d ms: %s", backoff.toMillis(), failure.getMessage());
                    vertx.setTimer(backoff.toMillis(), t -> resume());
                    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                }
            } else {
                backoff = FIRST_BACKOFF;
            }
            if (pending.isEmpty() && inFlight.isEmpty()) {
                idle = List.copyOf(idleWaiters);
                idleWaiters.clear();
            }
        }
        idle.forEach(Promise::tryComplete);
        pump();
    }

    private void resume() {
        synchronized (this) {
            pausedForRetry = false;
        }
        pump();
    }
}
