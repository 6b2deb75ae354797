package dev.switchboard.ha;

import com.google.protobuf.ByteString;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.coordinator.Coordinator;
import dev.switchboard.coordinator.CoordinatorService;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.server.DerpServer;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import java.util.Optional;

/**
 * CODER_DERP_SERVER_VERIFY_CLIENTS (derper's {@code --verify-clients}): the relay admits the node keys that
 * coordinated peers announced — known to this coordinator, else (replicas sharing a database) to any replica's —
 * and mesh peers; without a database only the in-memory coordinator is asked.
 */
@ApplicationScoped
public class RelayAdmission {
    void install(@Observes StartupEvent event, SwitchboardConfig config, Instance<DerpServer> relay,
                 CoordinatorService coordinators, HaLifecycle lifecycle) {
        SwitchboardConfig.Derp.Server derp = config.derp().server();
        if (derp.enable() && derp.verifyClients()) {
            relay.get().verifyClientsWith(key -> admits(binary(key), coordinators.coordinator(),
                    lifecycle.coordinator()));
        }
    }

    /** This replica's coordinator first (no query), then the peers table. */
    static Future<Boolean> admits(ByteString nodeKey, Coordinator local, Optional<PgCoordinator> shared) {
        if (local.announced(nodeKey)) {
            return Future.succeededFuture(true);
        }
        return shared.map(pg -> pg.announced(nodeKey.toByteArray())).orElse(Future.succeededFuture(false));
    }

    /** {@code Node.key}'s form ({@link NodeKey#toBinary()}). */
    static ByteString binary(NodeKey key) {
        return ByteString.copyFrom(key.toBinary());
    }
}
