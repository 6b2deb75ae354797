package dev.switchboard.ops;

import dev.switchboard.config.ConfigOptions;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.coordinator.CoordinatorService;
import dev.switchboard.derp.server.DerpServer;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import java.time.Duration;
import java.util.Optional;

/**
 * Wires {@link Drain} to Quarkus' shutdown. Quarkus' ShutdownRecorder runs the pre-shutdown listeners, then sleeps
 * {@code quarkus.shutdown.delay} (unset here, so not at all), then the shutdown listeners; ArC's
 * ArcShutdownListener, registered because {@code quarkus.shutdown.delay-enabled=true} (a build-time switch), fires
 * {@link ShutdownDelayInitiatedEvent} in the pre-shutdown phase whatever the delay. So the grace period
 * (CODER_SHUTDOWN_GRACE_PERIOD) is waited here instead of by Quarkus, and ends as soon as nothing is connected.
 *
 * <p>The drain also finishes here, in the pre-shutdown phase: by the time {@link ShutdownEvent} is fired the HTTP
 * server is already closed (its close task is registered after ArC's, by VertxHttpProcessor.openSocket, and
 * Quarkus runs shutdown tasks in reverse), so DERP clients would be cut off without their Restarting frame.
 * Quarkus exits 0 afterwards.
 */
@ApplicationScoped
public class GracefulShutdown {
    private final Drain drain;
    private final Duration gracePeriod;

    public GracefulShutdown(SwitchboardConfig config, Instance<DerpServer> derp, CoordinatorService coordinators) {
        boolean relay = config.derp().server().enable();
        this.drain = new Drain(relay ? Optional.of(derp.get()) : Optional.empty(), coordinators.coordinator());
        // Validated at start-up by OperationsConfigSourceFactory.
        this.gracePeriod = ConfigOptions.parseDuration(config.shutdown().gracePeriod());
    }

    void delayStarted(@Observes ShutdownDelayInitiatedEvent event) {
        drain.begin();
        drain.awaitIdle(gracePeriod);
        drain.finish();
    }

    /** Fallback for a stop without the pre-shutdown phase; after {@link #delayStarted} this does nothing. */
    void shutdown(@Observes @Priority(1) ShutdownEvent event) {
        drain.finish();
    }

    public boolean isDraining() {
        return drain.isDraining();
    }
}
