package dev.switchboard.derp.transport;

import dev.switchboard.config.RunMode;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigOptions;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.server.DerpMetrics;
import dev.switchboard.derp.server.DerpServer;
import dev.switchboard.derp.server.DerpServerOptions;
import dev.switchboard.derp.server.ServerKeyFile;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;

/** Builds the relay from configuration: server key file, mesh key, metrics. Fails start-up on bad settings. */
@ApplicationScoped
public class DerpServerProducer {
    private static final Logger LOG = Logger.getLogger(DerpServerProducer.class);

    @Produces
    @ApplicationScoped
    DerpServer derpServer(SwitchboardConfig config, Vertx vertx, MeterRegistry registry) {
        SwitchboardConfig.Derp.Server derp = config.derp().server();
        Path keyPath = derp.privateKeyPath().orElse(config.configDir().resolve("derp.key"));
        NodePrivateKey key = ServerKeyFile.loadOrCreate(keyPath);
        DerpServerOptions options = DerpServerOptions.defaults();
        Optional<byte[]> meshKey = meshKey(derp);
        if (meshKey.isPresent()) {
            options = options.withMeshKey(meshKey.get());
        }
        LOG.infof("DERP relay public key %s (key file %s, mesh %s)", key.publicKey().toHex(), keyPath,
                meshKey.isPresent() ? "enabled" : "disabled");
        return new DerpServer(vertx, key, options, new DerpMetrics(registry));
    }

    /** Creates the relay at start so a bad key file or mesh key fails start-up, not the first connection. */
    void eager(@Observes StartupEvent event, SwitchboardConfig config, Instance<DerpServer> server,
               RunMode runMode) {
        if (runMode.isServer() && config.derp().server().enable()) {
            server.get().publicKey();
        }
    }

    static Optional<byte[]> meshKey(SwitchboardConfig.Derp.Server derp) {
        if (derp.meshKey().isPresent() && derp.meshKeyFile().isPresent()) {
            throw new ConfigException("CODER_DERP_SERVER_MESH_KEY", "(set)",
                    "either the mesh key or CODER_DERP_SERVER_MESH_KEY_FILE, not both");
        }
        if (derp.meshKey().isPresent()) {
            return Optional.of(parseMeshKey("CODER_DERP_SERVER_MESH_KEY", derp.meshKey().get()));
        }
        if (derp.meshKeyFile().isPresent()) {
            Path file = derp.meshKeyFile().get();
            try {
                return Optional.of(parseMeshKey("CODER_DERP_SERVER_MESH_KEY_FILE", Files.readString(file)));
            } catch (IOException e) {
                throw new ConfigException("CODER_DERP_SERVER_MESH_KEY_FILE", file.toString(), "a readable file");
            }
        }
        return Optional.empty();
    }

    /** The registry's mesh-key check (which never prints the value), for the variable or the file's content. */
    private static byte[] parseMeshKey(String variable, String text) {
        ConfigOptions.named("CODER_DERP_SERVER_MESH_KEY").validateAs(variable, text);
        return HexFormat.of().parseHex(text.strip());
    }
}
