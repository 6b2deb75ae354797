package dev.switchboard.cli;

import dev.switchboard.diagnostics.NetworkDiagnostics;
import dev.switchboard.diagnostics.NetworkReport;
import io.vertx.core.Vertx;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code switchboard netcheck}: Coder's {@code coder netcheck} (coder/coder cli/netcheck.go) against a Switchboard or
 * Coder server: the DERP health report over the server's map and the interfaces report, as indented JSON on stdout.
 * Runs without Quarkus on a Vert.x of its own.
 */
@Command(name = "netcheck", mixinStandardHelpOptions = true,
        description = "Print a network report (DERP, STUN, interfaces) for the server's DERP map as JSON.")
public class NetcheckCommand implements Callable<Integer> {
    static final long TIMEOUT_SECONDS = 30;

    /** Replaced by tests; the process environment otherwise. */
    Map<String, String> env = System.getenv();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", description = "Server URL (default: CODER_URL)")
    String url;

    @Option(names = "--token", description = "Session token (default: CODER_SESSION_TOKEN)")
    String token;

    @Override
    public Integer call() throws Exception {
        URI server = server();
        Optional<String> session = Optional.ofNullable(token).or(() -> Optional.ofNullable(env.get("CODER_SESSION_TOKEN")))
                .filter(t -> !t.isBlank());
        spec.commandLine().getErr().println("Gathering a network report. This may take a few seconds...");
        Vertx vertx = CliVertx.create();
        try {
            NetworkReport report = NetworkDiagnostics.gather(vertx, server, session).toCompletionStage()
                    .toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            spec.commandLine().getOut().println(report.toIndentedJson());
            return 0;
        } catch (TimeoutException e) {
            throw new IllegalStateException("no report within " + TIMEOUT_SECONDS + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    private URI server() {
        String value = url != null ? url : env.getOrDefault("CODER_URL", "");
        if (value.isBlank()) {
            throw new UsageError("--url", "the server's URL is required (or set CODER_URL)");
        }
        try {
            URI uri = URI.create(value.strip());
            if (("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new UsageError("--url", "an http:// or https:// URL such as http://127.0.0.1:3000, not \"" + value + "\"");
    }
}
