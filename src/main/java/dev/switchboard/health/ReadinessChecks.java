package dev.switchboard.health;

import dev.switchboard.config.HostPort;
import dev.switchboard.config.PublicListener;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.coordinator.CoordinatorService;
import dev.switchboard.derp.server.DerpServer;
import dev.switchboard.derpmap.DerpMapService;
import dev.switchboard.ops.GracefulShutdown;
import dev.switchboard.stun.StunListenAddresses;
import dev.switchboard.stun.StunLifecycle;
import dev.switchboard.warmup.RelayWarmup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Locale;

/**
 * Readiness = this replica should receive traffic. Each check proves something and reports its own data: the HTTP
 * listener accepts connections, the relay is up and not draining, the STUN sockets are bound, a valid DERP map is
 * being served, the coordinator is running, the relay's warm-up is over (warmup.RelayWarmup).
 */
@ApplicationScoped
public class ReadinessChecks {
    private final SwitchboardConfig config;
    private final Instance<DerpServer> derp;
    private final StunLifecycle stun;
    private final DerpMapService maps;
    private final CoordinatorService coordinators;
    private final GracefulShutdown shutdown;
    private final PublicListener listener;
    private final RelayWarmup warmup;

    public ReadinessChecks(SwitchboardConfig config, Instance<DerpServer> derp, StunLifecycle stun,
                           DerpMapService maps, CoordinatorService coordinators, GracefulShutdown shutdown,
                           PublicListener listener, RelayWarmup warmup) {
        this.config = config;
        this.derp = derp;
        this.stun = stun;
        this.maps = maps;
        this.coordinators = coordinators;
        this.shutdown = shutdown;
        this.listener = listener;
        this.warmup = warmup;
    }

    @Produces
    @Readiness
    HealthCheck httpListener() {
        return () -> {
            String host = listener.loopbackHost();
            int httpPort = listener.boundPort();
            HealthCheckResponseBuilder check = HealthCheckResponse.named("http-listener")
                    .withData("address", new HostPort(host, httpPort).toString());
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, httpPort), 1000);
                return check.up().build();
            } catch (IOException e) {
                return check.down().withData("error", e.getMessage()).build();
            }
        };
    }

    @Produces
    @Readiness
    HealthCheck derpRelay() {
        return () -> {
            HealthCheckResponseBuilder check = HealthCheckResponse.named("derp-relay")
                    .withData("enabled", config.derp().server().enable()).withData("draining", shutdown.isDraining());
            if (!config.derp().server().enable()) {
                return check.up().build();
            }
            DerpServer server = derp.get();
            return check.status(!server.isDraining()) // the drain marks the relay itself
                    .withData("connections", server.connectionCount())
                    .withData("publicKey", server.publicKey().toHex()).build();
        };
    }

    @Produces
    @Readiness
    HealthCheck stunResponder() {
        return () -> {
            boolean enabled = !StunListenAddresses.parse(config.stunListenAddresses()).isEmpty();
            HealthCheckResponseBuilder check = HealthCheckResponse.named("stun-responder").withData("enabled", enabled);
            if (!enabled) {
                return check.up().build();
            }
            return stun.localAddresses().map(a -> check.up().withData("bound", a.toString()).build())
                    .orElseGet(() -> check.down().withData("bound", "none").build());
        };
    }

    @Produces
    @Readiness
    HealthCheck derpMap() {
        return () -> {
            var map = maps.current();
            HealthCheckResponseBuilder check = HealthCheckResponse.named("derp-map");
            return map == null ? check.down().build()
                    : check.up().withData("regions", map.regions().size())
                    .withData("derpNodes", map.derpNodes().size()).build();
        };
    }

    @Produces
    @Readiness
    HealthCheck coordinator() {
        return () -> {
            var refusal = coordinators.coordinator().refusal();
            HealthCheckResponseBuilder check = HealthCheckResponse.named("coordinator").status(refusal.isEmpty())
                    .withData("peers", coordinators.coordinator().peerCount());
            refusal.ifPresent(reason -> check.withData("refusing", reason));
            return check.build();
        };
    }

    @Produces
    @Readiness
    HealthCheck relayWarmup() {
        return () -> {
            HealthCheckResponseBuilder check = HealthCheckResponse.named("relay-warmup")
                    .withData("phase", warmup.phase().name().toLowerCase(Locale.ROOT));
            RelayWarmup.Outcome outcome = warmup.outcome();
            if (outcome == null) {
                return check.down().build();
            }
            return check.up().withData("outcome", outcome.reason()).withData("millis", outcome.millis())
                    .withData("relayedPackets", outcome.relayedPackets()).withData("stunAnswers", outcome.stunAnswers())
                    .withData("churnedConnections", outcome.churnedConnections())
                    .withData("jitCompileMillis", outcome.compiledMillis()).build();
        };
    }
}
