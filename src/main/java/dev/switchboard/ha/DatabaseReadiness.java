package dev.switchboard.ha;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness check {@code database}: DOWN after three heartbeats in a row failed, of the replica registry or of the
 * coordinator across replicas, UP again after one succeeds (the rule pgcoord applies to its own heartbeats,
 * {@code enterprise/tailnet/pgcoord.go}); always UP without a database.
 * The datasource's own health check is off: it would flip on a single failed probe.
 */
@ApplicationScoped
public class DatabaseReadiness {
    private final HaLifecycle lifecycle;

    public DatabaseReadiness(HaLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Produces
    @Readiness
    HealthCheck database() {
        return () -> {
            HealthCheckResponseBuilder check = HealthCheckResponse.named("database");
            var registry = lifecycle.registry();
            if (registry.isEmpty()) {
                return check.up().withData("configured", false).build();
            }
            ReplicaRegistry r = registry.get();
            boolean coordinatorHealthy = lifecycle.coordinator().map(PgCoordinator::healthy).orElse(true);
            check.status(r.healthy() && coordinatorHealthy).withData("configured", true).withData("replica", r.self().id().toString())
                    .withData("siblings", r.siblings().size()).withData("failedHeartbeats", r.consecutiveFailures());
            lifecycle.coordinator().ifPresent(c -> check.withData("coordinator", c.id().toString())
                    .withData("coordinatorHealthy", c.healthy()));
            r.lastError().ifPresent(e -> check.withData("error", e));
            lifecycle.mesh().ifPresent(mesh -> check.withData("meshPeers", mesh.listedPeers())
                    .withData("meshPeersConnected", mesh.connectedPeers()));
            return check.build();
        };
    }
}
