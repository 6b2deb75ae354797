package dev.switchboard.cli;

import dev.switchboard.config.ManagementListener;
import dev.switchboard.config.PublicListener;
import dev.switchboard.warmup.RelayWarmup;
import io.quarkus.runtime.Quarkus;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
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

    @Inject
    PublicListener listener;

    @Inject
    ManagementListener management;

    @Inject
    RelayWarmup warmup;

    @Option(names = "--smoke-test", description = "Start, relay " + SMOKE_ROUND_TRIPS + " packets between two DERP "
            + "clients through this server's HTTP listener, then stop once the relay's warm-up is over and readiness is UP "
            + "(/healthz, /q/health/ready): exit status 0 if every one came back. Also the training run of the JVM's AOT "
            + "cache (bin/aot-cache), which so learns the warm-up's profiles and loads the probe paths.")
    boolean smokeTest;

    @Override
    public Integer call() {
        if (!smokeTest) {
            Quarkus.waitForExit();
            return 0;
        }
        URI url = listener.loopbackUrl().resolve("/derp");
        try {
            String latency = SmokeTest.run(vertx, url, SMOKE_ROUND_TRIPS);
            RelayWarmup.Outcome warmedUp = warmup.awaitOutcome();
            SmokeTest.probe(vertx, listener.loopbackUrl().resolve("/healthz"),
                    management.loopbackUrl().resolve("/q/health/ready"));
            System.out.println("smoke test passed: " + url + " relayed " + SMOKE_ROUND_TRIPS + " round trips, " + latency
                    + (warmedUp == null ? "" : "; warm-up " + warmedUp.reason()));
            return 0;
        } catch (Exception e) {
            System.out.println("smoke test failed: " + url + ": " + e);
            return 1;
        }
    }
}
