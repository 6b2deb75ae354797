package dev.switchboard.derp.transport;

import dev.switchboard.config.MeshKey;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.server.DerpMetrics;
import dev.switchboard.derp.server.DerpServer;
import dev.switchboard.derp.server.DerpServerOptions;
import dev.switchboard.derp.server.ReceiveRate;
import dev.switchboard.derp.server.ServerKeyFile;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import org.jboss.logging.Logger;

import java.nio.file.Path;

/** Builds the relay from configuration: server key file, mesh key, metrics. Fails start-up on bad settings. */
@ApplicationScoped
public class DerpServerProducer {
    private static final Logger LOG = Logger.getLogger(DerpServerProducer.class);

    @Produces
    @ApplicationScoped
    DerpServer derpServer(SwitchboardConfig config, MeshKey meshKey, Vertx vertx, MeterRegistry registry) {
        SwitchboardConfig.Derp.Server derp = config.derp().server();
        Path keyPath = derp.privateKeyPath().orElse(config.configDir().resolve(ServerKeyFile.FILE_NAME));
        NodePrivateKey key = ServerKeyFile.loadOrCreate(keyPath);
        DerpServerOptions options = DerpServerOptions.defaults();
        options = options.withMaxConnectionsPerIp(derp.maxConnectionsPerIp());
        if (derp.receiveRate() > 0) {
            options = options.withReceiveRate(new ReceiveRate(derp.receiveRate(),
                    derp.receiveBurst() > 0 ? derp.receiveBurst() : derp.receiveRate()));
        }
        options = options.withMeshKey(meshKey);
        LOG.infof("DERP relay public key %s (key file %s, mesh %s)", key.publicKey().toHex(), keyPath,
                meshKey.isConfigured() ? "enabled" : "disabled");
        return new DerpServer(vertx, key, options, new DerpMetrics(registry));
    }

    /** Creates the relay at start so a bad key file or mesh key fails start-up, not the first connection. */
    void eager(@Observes StartupEvent event, SwitchboardConfig config, Instance<DerpServer> server) {
        if (config.derp().server().enable()) {
            server.get().publicKey();
        }
    }
}
