package dev.switchboard.tls;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.derpmap.DerpMapJson;
import dev.switchboard.derpmap.DerpMapService;
import dev.switchboard.derpmap.DerpNode;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * With TLS on and no certificate files, logs the DERP node an operator can paste into a DERP map so that stock
 * clients trust the development certificate by its {@code sha256-raw:} pin.
 */
@ApplicationScoped
public class TlsStartupReport {
    private static final Logger LOG = Logger.getLogger(TlsStartupReport.class);

    void report(@Observes @Priority(3000) StartupEvent event, SwitchboardConfig config, DerpMapService maps,
                @ConfigProperty(name = "coder.tls.enable", defaultValue = "false") boolean tls,
                @ConfigProperty(name = "coder.tls.cert-file") Optional<String> certFile,
                @ConfigProperty(name = "quarkus.http.ssl-port", defaultValue = "3443") int tlsPort) throws IOException {
        Path cert = config.configDir().resolve("tls").resolve(TlsConfigSourceFactory.SELF_SIGNED_CERT);
        if (!tls || certFile.isPresent() || !Files.exists(cert) || maps.current() == null) {
            return;
        }
        var leaf = Certificates.parsePem(Files.readString(cert)).get(0);
        DerpNode embedded = maps.current().regions().values().stream().filter(r -> r.embeddedRelay())
                .flatMap(r -> r.nodes().stream()).findFirst().orElse(null);
        if (embedded == null) {
            return;
        }
        DerpNode pinned = new DerpNode(embedded.name(), embedded.regionId(), embedded.hostName(),
                Certificates.sha256RawPin(leaf), null, null, embedded.stunPort(), false, tlsPort, false, false, null,
                false);
        LOG.infof("TLS uses a self-signed development certificate (%s). DERP node for a DERP map: %s", cert,
                DerpMapJson.write(pinned));
    }
}
