package dev.switchboard.ops;

import dev.switchboard.config.RunMode;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.coordinator.CoordinatorService;
import dev.switchboard.derp.server.DerpServer;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import java.util.Optional;

/**
 * Wires {@link Drain} to Quarkus' shutdown: the delay (CODER_SHUTDOWN_GRACE_PERIOD) starts at SIGTERM, the
 * shutdown event comes after it. Quarkus exits 0 afterwards.
 */
@ApplicationScoped
public class GracefulShutdown {
    private final Drain drain;

    public GracefulShutdown(SwitchboardConfig config, Instance<DerpServer> derp, CoordinatorService coordinators,
                            RunMode runMode) {
        boolean relay = runMode.isServer() && config.derp().server().enable();
        // Client subcommands serve nothing, so they have nothing to drain.
        this.drain = runMode.isServer() ? new Drain(relay ? Optional.of(derp.get()) : Optional.empty(),
                coordinators.coordinator()) : null;
    }

    void delayStarted(@Observes ShutdownDelayInitiatedEvent event) {
        if (drain != null) {
            drain.begin();
        }
    }

    void shutdown(@Observes @Priority(1) ShutdownEvent event) {
        if (drain != null) {
            drain.finish();
        }
    }

    public boolean isDraining() {
        return drain != null && drain.isDraining();
    }
}
