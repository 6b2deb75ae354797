package dev.switchboard.config;

import io.quarkus.runtime.LaunchMode;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The public HTTP listener (CODER_HTTP_ADDRESS) and the URLs derived from it, computed once: the bind host, the
 * loopback URL that reaches the listener from this machine (the smoke test, the readiness probe) and the access URL
 * clients are given (CODER_ACCESS_URL, else the loopback URL: zero configuration on one machine).
 */
@Singleton
public class PublicListener {
    private final String bindHost;
    private final int configuredPort;
    private final URI accessUrl;
    private final Duration idleTimeout;

    @Inject
    public PublicListener(@ConfigProperty(name = "quarkus.http.host") String bindHost,
                          @ConfigProperty(name = "quarkus.http.port") int configuredPort,
                          @ConfigProperty(name = "quarkus.http.idle-timeout") Duration idleTimeout,
                          SwitchboardConfig config) {
        this(bindHost, configuredPort, idleTimeout, config.accessUrl());
    }

    PublicListener(String bindHost, int configuredPort, Duration idleTimeout, Optional<String> accessUrl) {
        this.bindHost = bindHost;
        this.configuredPort = configuredPort;
        this.idleTimeout = idleTimeout;
        String access = accessUrl.orElse(url(configuredPort).toString());
        ConfigOptions.named("CODER_ACCESS_URL").validate(access);
        this.accessUrl = URI.create(access.strip());
    }

    /** The address the listener binds; empty, {@code 0.0.0.0} or {@code ::} mean every interface. */
    public String bindHost() {
        return bindHost;
    }

    /** The host a local client dials to reach the listener: a wildcard bind is reached on the loopback interface. */
    public String loopbackHost() {
        return loopbackHost(bindHost);
    }

    /** CODER_ACCESS_URL, or the loopback URL of the configured port when unset. */
    public URI accessUrl() {
        return accessUrl;
    }

    /** How long Vert.x keeps an idle HTTP connection open (application.properties: 90 s). */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** The port Quarkus really bound: under test or with port 0 the ephemeral port it publishes once bound. */
    public int boundPort() {
        String property = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        return ConfigProvider.getConfig().getOptionalValue(property, Integer.class).orElse(configuredPort);
    }

    /** {@code http://<loopback host>:<bound port>}: how this machine reaches the running listener. */
    public URI loopbackUrl() {
        return url(boundPort());
    }

    private URI url(int port) {
        return URI.create("http://" + HostPort.urlHost(loopbackHost()) + ":" + port);
    }

    /** The one mapping from a bind address to the address that reaches it locally. */
    public static String loopbackHost(String bindHost) {
        String host = bindHost.startsWith("[") && bindHost.endsWith("]")
                ? bindHost.substring(1, bindHost.length() - 1) : bindHost;
        return switch (host) {
            case "", "0.0.0.0" -> "127.0.0.1";
            case "::" -> "::1";
            default -> host;
        };
    }
}
