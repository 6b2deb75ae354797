package dev.switchboard.health;

import dev.switchboard.vertx.VertxInternals;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Liveness = the process can serve: every Vert.x event loop runs a task within two seconds (none is blocked). */
@Liveness
@ApplicationScoped
public class LivenessCheck implements HealthCheck {
    private final Vertx vertx;

    public LivenessCheck(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public HealthCheckResponse call() {
        long start = System.nanoTime();
        List<Future<?>> pings = new ArrayList<>();
        for (EventExecutor loop : VertxInternals.eventLoops(vertx)) {
            pings.add(loop.submit(() -> {
            }));
        }
        HealthCheckResponseBuilder check = HealthCheckResponse.named("event-loops").withData("loops", pings.size());
        for (Future<?> ping : pings) {
            try {
                ping.get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                return check.down().withData("error", "an event loop did not respond within 2 s").build();
            }
        }
        return check.up().withData("responseMicros", (System.nanoTime() - start) / 1000).build();
    }
}
