package dev.switchboard.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Makes SIGTERM of {@code switchboard server} a clean exit (0) after the graceful drain, instead of the JVM's 143.
 *
 * <p>Installed at {@link StartupEvent}, which Quarkus fires before it opens the HTTP and management sockets
 * (VertxHttpProcessor.openSocket consumes the ApplicationStartBuildItem of the step that fires it), so a
 * SIGTERM sent once readiness answers always finds it; installing it in {@code QuarkusApplication.run} left a window
 * after readiness in which SIGTERM still ended with 143. Not earlier than start-up: ApplicationLifecycleManager.run
 * resets its exit request when it begins, so a {@link Quarkus#asyncExit} before that would be lost.
 */
@ApplicationScoped
public class SigtermExit {
    void install(@Observes @Priority(1) StartupEvent event) {
        if (SwitchboardMain.serverFromMain) {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> Quarkus.asyncExit(0));
        }
    }
}
