package dev.switchboard.config;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Before the listeners open, checks that each TCP address the server will bind is free, so that an address in use
 * fails start-up with one line naming the variable and the address. Left to Quarkus, the failure is Netty's
 * {@code bind(..) failed with error(-98): Address already in use}, which names neither: with the native transport
 * it is no {@link java.net.BindException}, so VertxHttpRecorder does not turn it into a QuarkusBindException with
 * the port, and the HTTP, HTTPS and management listeners all fail as one "Unable to start HTTP server".
 *
 * <p>Runs at {@link StartupEvent}, which Quarkus fires before it opens the sockets (VertxHttpProcessor.openSocket
 * consumes the ApplicationStartBuildItem of the step that fires it). Another process could still take an address
 * between this check and the bind; then Quarkus' own message stands.
 */
@ApplicationScoped
public class ListenAddressCheck {
    /** One listener: the variable that configures it and the address it will bind. */
    public record Listener(String variable, String host, int port) {
        String address() {
            return new HostPort(host, port).toString();
        }
    }

    private final Config config;
    private final SwitchboardConfig switchboard;

    public ListenAddressCheck(Config config, SwitchboardConfig switchboard) {
        this.config = config;
        this.switchboard = switchboard;
    }

    void check(@Observes @Priority(10) StartupEvent event) {
        check(listeners());
    }

    /** The server's TCP listeners as Quarkus will bind them (test ports under test). */
    List<Listener> listeners() {
        boolean test = LaunchMode.current() == LaunchMode.TEST;
        String httpHost = config.getOptionalValue("quarkus.http.host", String.class).orElse("0.0.0.0");
        List<Listener> listeners = new ArrayList<>();
        listeners.add(new Listener("CODER_HTTP_ADDRESS", httpHost,
                port(test ? "quarkus.http.test-port" : "quarkus.http.port", 8080)));
        if (switchboard.tls().enable()) {
            // TlsConfigSourceFactory: the HTTPS listener shares the HTTP host.
            listeners.add(new Listener("CODER_TLS_ADDRESS", httpHost,
                    port(test ? "quarkus.http.test-ssl-port" : "quarkus.http.ssl-port", 8443)));
        }
        HostPort management = ManagementListener.address(config);
        listeners.add(new Listener("CODER_PROMETHEUS_ADDRESS", management.host(), management.port()));
        return listeners;
    }

    private int port(String property, int fallback) {
        return config.getOptionalValue(property, Integer.class).orElse(fallback);
    }

    /** Binds and closes each listener's address (an ephemeral port, 0, is never in use). */
    public static void check(List<Listener> listeners) {
        for (Listener listener : listeners) {
            if (listener.port() == 0) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket()) {
                // As Vert.x binds (HttpServerOptions reuseAddress): a port in TIME_WAIT is free, one listened on is not.
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(listener.host().isEmpty() ? "0.0.0.0" : listener.host(),
                        listener.port()));
            } catch (IOException e) {
                throw ConfigException.unusable(listener.variable(), listener.address(), bindFailure(listener.address(), e));
            }
        }
    }

    /** Why {@code address} cannot be bound, in words (the JDK's and Netty's messages name no address). */
    public static String bindFailure(String address, Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("address already in use")) {
            return address + " is already in use";
        }
        if (lower.contains("cannot assign requested address")) {
            return address + " is not an address of this machine";
        }
        if (lower.contains("permission denied")) {
            return "binding " + address + " is not permitted (ports below 1024 need privileges)";
        }
        return "cannot bind " + address + ": " + message;
    }
}
