package dev.switchboard.coordinator;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.function.ToDoubleFunction;

/**
 * {@code switchboard_coordinator_*}: connected peers by kind, open tunnels, and the event counts of
 * {@link CoordinatorStats}. Read when Prometheus scrapes; nothing on the coordination path changes for them.
 */
@ApplicationScoped
public class CoordinatorMetrics {
    void register(@Observes StartupEvent event, CoordinatorService service, MeterRegistry registry) {
        bind(service.coordinator(), registry);
    }

    /** Registers the meters of {@code coordinator} (also used by tests with their own registry). */
    public static void bind(Coordinator coordinator, MeterRegistry registry) {
        for (boolean agents : new boolean[]{true, false}) {
            Gauge.builder("switchboard.coordinator.peers", coordinator, c -> c.peerCount(agents))
                    .tag("kind", agents ? "agent" : "client").description("Coordinating peers connected now")
                    .register(registry);
        }
        Gauge.builder("switchboard.coordinator.tunnels", coordinator, Coordinator::tunnelCount)
                .description("Tunnels open now").register(registry);
        CoordinatorStats stats = coordinator.stats();
        counter(registry, "switchboard.coordinator.requests", "CoordinateRequests applied", stats,
                CoordinatorStats::requests);
        counter(registry, "switchboard.coordinator.responses", "CoordinateResponses queued to peers", stats,
                CoordinatorStats::responses);
        counter(registry, "switchboard.coordinator.evictions", "Peers disconnected with a full response buffer",
                stats, CoordinatorStats::evictions);
        counter(registry, "switchboard.coordinator.overwrites", "Connections that replaced one with the same peer ID",
                stats, CoordinatorStats::overwrites);
    }

    private static void counter(MeterRegistry registry, String name, String description, CoordinatorStats stats,
                                ToDoubleFunction<CoordinatorStats> value) {
        FunctionCounter.builder(name, stats, value).description(description).register(registry);
    }
}
