package dev.switchboard.ops;

import dev.switchboard.coordinator.Coordinator;
import dev.switchboard.derp.server.DerpServer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The graceful drain, in order: (1) {@link #begin()} at SIGTERM — readiness down, new DERP connections refused,
 * existing ones keep relaying; (2) after the grace period {@link #finish()} — DERP clients get a Restarting frame and
 * are closed, then coordinator streams end so peers mark each other LOST (not DISCONNECTED).
 */
public final class Drain {
    private static final Logger LOG = Logger.getLogger(Drain.class);
    /** Restarting frame: reconnect after 1 s, keep trying for 30 s (another replica or this one, restarted). */
    static final Duration RECONNECT_IN = Duration.ofSeconds(1);
    static final Duration TRY_FOR = Duration.ofSeconds(30);

    private final Optional<DerpServer> derp;
    private final Coordinator coordinator;
    private volatile boolean draining;

    public Drain(Optional<DerpServer> derp, Coordinator coordinator) {
        this.derp = derp;
        this.coordinator = coordinator;
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

    public void finish() {
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
