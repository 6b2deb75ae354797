package dev.switchboard.config;

import io.quarkus.runtime.LaunchMode;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.net.URI;

/**
 * The management listener (CODER_PROMETHEUS_ADDRESS: health probes and metrics) as this machine reaches it once it is
 * bound, for the smoke test, which probes readiness through it as a kubelet would.
 */
@Singleton
public class ManagementListener {
    /** {@code http://<loopback host>:<bound port>}: with port 0 the ephemeral port Quarkus publishes once bound. */
    public URI loopbackUrl() {
        HostPort bound = address(ConfigProvider.getConfig());
        return URI.create("http://" + HostPort.urlHost(PublicListener.loopbackHost(bound.host())) + ":" + bound.port());
    }

    /** The address Quarkus binds (the test port under test), as configured or, once bound, as published. */
    static HostPort address(Config config) {
        String port = LaunchMode.current() == LaunchMode.TEST ? "quarkus.management.test-port" : "quarkus.management.port";
        return new HostPort(config.getOptionalValue("quarkus.management.host", String.class).orElse("0.0.0.0"),
                config.getOptionalValue(port, Integer.class).orElse(9000));
    }
}
