package dev.switchboard.stun;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.HostPort;
import dev.switchboard.config.ListenAddressCheck;
import dev.switchboard.config.SwitchboardConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Starts the STUN responder with the server and stops it on shutdown; a bind failure fails start-up. */
@ApplicationScoped
public class StunLifecycle {
    private final SwitchboardConfig config;
    private final Vertx vertx;
    private final MeterRegistry registry;
    private volatile StunServer server;

    public StunLifecycle(SwitchboardConfig config, Vertx vertx, MeterRegistry registry) {
        this.config = config;
        this.vertx = vertx;
        this.registry = registry;
    }

    void start(@Observes @Priority(1000) StartupEvent event) throws Exception {
        List<HostPort> addresses = StunListenAddresses.parse(config.stunListenAddresses());
        if (addresses.isEmpty()) {
            return;
        }
        StunServer starting = new StunServer(vertx, addresses, new StunMetrics(registry),
                config.stunReceiveBuffer());
        try {
            starting.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            starting.stop();
            throw bindFailure(config.stunListenAddresses(), e.getCause());
        }
        server = starting;
    }

    /**
     * One line naming the variable, its value and the address that failed: StunServer names the address, Netty's
     * cause names the reason; printed alone (cli.SwitchboardMain prints the root cause) the cause named neither.
     */
    static ConfigException bindFailure(String configured, Throwable failure) {
        Throwable netty = failure.getCause() != null ? failure.getCause() : failure;
        String address = failure instanceof StunServer.BindFailure bind ? bind.address() : configured;
        return ConfigException.unusable(StunListenAddresses.VARIABLE, configured,
                "udp " + ListenAddressCheck.bindFailure(address, netty));
    }

    void stop(@Observes ShutdownEvent event) throws Exception {
        StunServer running = server;
        if (running != null) {
            running.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    /** The responder's bound addresses, or empty when it is off (used by the DERP map for STUNPort). */
    public Optional<List<InetSocketAddress>> localAddresses() {
        StunServer running = server;
        return running == null ? Optional.empty() : Optional.of(running.localAddresses());
    }
}
