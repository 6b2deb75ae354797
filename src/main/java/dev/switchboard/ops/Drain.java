package dev.switchboard.ops;

import dev.switchboard.coordinator.Coordinator;
import dev.switchboard.derp.server.DerpServer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The graceful drain, in order: (1) {@link #begin()} at SIGTERM — readiness down, new DERP connections refused,
 * existing ones keep relaying; (2) {@link #awaitIdle} — up to the grace period, over as soon as no DERP connection
 * and no coordinator peer is left (an idle server has nothing to drain, so it need not sit out the period);
 * (3) {@link #finish()} — DERP clients get a Restarting frame and are closed, then coordinator streams end so peers
 * mark each other LOST (not DISCONNECTED).
 */
public final class Drain {
    private static final Logger LOG = Logger.getLogger(Drain.class);
    /** Restarting frame: reconnect after 1 s, keep trying for 30 s (another replica or this one, restarted). */
    static final Duration RECONNECT_IN = Duration.ofSeconds(1);
    static final Duration TRY_FOR = Duration.ofSeconds(30);
    /** How often {@link #awaitIdle} looks at the connection counts: the most an idle exit waits for nothing. */
    static final Duration POLL = Duration.ofMillis(50);

    /** Sleeps; injected so the wait logic can be tested against a fake clock. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final Optional<DerpServer> derp;
    private final Coordinator coordinator;
    private final Clock clock;
    private final Sleeper sleeper;
    private volatile boolean draining;
    private final java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();

    public Drain(Optional<DerpServer> derp, Coordinator coordinator) {
        this(derp, coordinator, Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
    }

    Drain(Optional<DerpServer> derp, Coordinator coordinator, Clock clock, Sleeper sleeper) {
        this.derp = derp;
        this.coordinator = coordinator;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    public void begin() {
        if (!draining) {
            draining = true;
            derp.ifPresent(DerpServer::startDraining);
            LOG.info("draining: readiness is down and new DERP connections are refused; existing ones keep relaying");
        }
    }

    public boolean isDraining() {
        return draining;
    }

    /** No DERP connection and no coordinator peer: nobody would notice the process going away. */
    public boolean isIdle() {
        return derp.map(DerpServer::connectionCount).orElse(0) == 0 && coordinator.peerCount() == 0;
    }

    /**
     * Blocks until {@link #isIdle()} or until {@code gracePeriod} has passed, whichever comes first.
     *
     * @return whether the server became idle (false: the grace period ran out, or the wait was interrupted)
     */
    public boolean awaitIdle(Duration gracePeriod) {
        Instant started = clock.instant();
        boolean idle = waitUntil(this::isIdle, gracePeriod, clock, sleeper);
        Duration waited = Duration.between(started, clock.instant());
        if (idle) {
            LOG.infof("draining: nothing connected after %d ms, not waiting out the %s grace period",
                    waited.toMillis(), gracePeriod);
        } else {
            LOG.infof("draining: grace period %s over with %d DERP connections and %d coordinator peers",
                    gracePeriod, derp.map(DerpServer::connectionCount).orElse(0), coordinator.peerCount());
        }
        return idle;
    }

    /**
     * Polls {@code done} every {@link #POLL} until it holds or {@code limit} has passed on {@code clock}; checks once
     * more at the deadline, so a zero limit still reports an idle server as idle.
     */
    static boolean waitUntil(BooleanSupplier done, Duration limit, Clock clock, Sleeper sleeper) {
        Instant deadline = clock.instant().plus(limit);
        while (!done.getAsBoolean()) {
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isZero() || left.isNegative()) {
                return false;
            }
            try {
                sleeper.sleep(left.compareTo(POLL) < 0 ? left : POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return done.getAsBoolean();
            }
        }
        return true;
    }

    /** Runs once; later calls return at once. */
    public void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        begin();
        derp.ifPresent(server -> {
            try {
                server.restartAll(RECONNECT_IN, TRY_FOR).toCompletionStage().toCompletableFuture()
                        .get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warnf("draining: not every DERP connection confirmed its Restarting frame: %s", e.getMessage());
            }
        });
        coordinator.close();
        LOG.info("drained: DERP clients told to reconnect, coordinator peers marked LOST");
    }
}
