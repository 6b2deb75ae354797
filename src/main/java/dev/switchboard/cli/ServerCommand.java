package dev.switchboard.cli;

import dev.switchboard.bench.DerpLatency;
import dev.switchboard.bench.LatencyStats;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.util.concurrent.Callable;

/** {@code switchboard server}: runs the relay, STUN responder and APIs until SIGTERM. Configured by CODER_* variables. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Run the Switchboard service (configured with CODER_* environment variables).")
public class ServerCommand implements Callable<Integer> {
    private static final int SMOKE_ROUND_TRIPS = 200;

    @Inject
    Vertx vertx;

    @Option(names = "--smoke-test", description = "Start, relay " + SMOKE_ROUND_TRIPS + " packets between two DERP "
            + "clients through this server's HTTP listener, then stop: exit status 0 if every one came back. Also the "
            + "training run of the JVM's AOT cache (bin/aot-cache).")
    boolean smokeTest;

    @Override
    public Integer call() {
        if (!smokeTest) {
            Quarkus.waitForExit();
            return 0;
        }
        URI url = loopbackDerpUrl();
        try {
            LatencyStats stats = DerpLatency.run(vertx, url, false, SMOKE_ROUND_TRIPS, 1200, SMOKE_ROUND_TRIPS / 4);
            System.out.println("smoke test passed: " + url + " relayed " + stats.count() + " round trips, " + stats.human());
            return 0;
        } catch (Exception e) {
            System.out.println("smoke test failed: " + url + ": " + e);
            return 1;
        }
    }

    /** The HTTP listener as bound: Quarkus publishes the real port when the configured one was 0. */
    private static URI loopbackDerpUrl() {
        var config = ConfigProvider.getConfig();
        String host = config.getOptionalValue("quarkus.http.host", String.class).orElse("127.0.0.1");
        String portKey = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        int port = config.getValue(portKey, Integer.class);
        String loopback = switch (host) {
            case "0.0.0.0", "" -> "127.0.0.1";
            case "::", "[::]" -> "[::1]";
            default -> host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        };
        return URI.create("http://" + loopback + ":" + port + "/derp");
    }
}
