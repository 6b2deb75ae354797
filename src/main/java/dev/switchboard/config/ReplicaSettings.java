package dev.switchboard.config;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URI;
import java.util.Optional;

/**
 * What this replica registers about itself when several share a database (CODER_PG_CONNECTION_URL): the relay URL
 * siblings mesh with, the region, the version. The relay URL must be the replica's own address, never the load
 * balancer's (Coder's docs: "http://$(POD_IP)" in Kubernetes), hence the default from POD_IP.
 */
@Singleton
public class ReplicaSettings {
    private final SwitchboardConfig config;
    private final PublicListener listener;
    private final Optional<String> podIp;
    private final String version;

    @Inject
    public ReplicaSettings(SwitchboardConfig config, PublicListener listener,
                           @ConfigProperty(name = "POD_IP") Optional<String> podIp,
                           @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        this.config = config;
        this.listener = listener;
        this.podIp = podIp.map(String::strip).filter(s -> !s.isEmpty());
        this.version = version;
    }

    /** The database, when this process is a server with CODER_PG_CONNECTION_URL set. */
    public Optional<PgConnectionUrl> database() {
        return config.pg().connectionUrl().filter(u -> !u.isBlank()).map(PgConnectionUrl::parse);
    }

    /** CODER_DERP_SERVER_RELAY_URL, else {@code http://<POD_IP or loopback>:<bound HTTP port>}. */
    public URI relayUrl() {
        return config.derp().server().relayUrl().map(String::strip).map(URI::create)
                .orElseGet(() -> defaultRelayUrl(podIp, listener.loopbackHost(), listener.boundPort()));
    }

    static URI defaultRelayUrl(Optional<String> podIp, String loopbackHost, int port) {
        return URI.create("http://" + HostPort.urlHost(podIp.orElse(loopbackHost)) + ":" + port);
    }

    public int regionId() {
        return Math.toIntExact(config.derp().server().regionId());
    }

    public String version() {
        return version;
    }
}
