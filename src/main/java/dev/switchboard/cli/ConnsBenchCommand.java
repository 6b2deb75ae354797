package dev.switchboard.cli;

import dev.switchboard.bench.DerpIdleConnections;
import dev.switchboard.bench.ProcessMemory;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/** {@code switchboard bench conns}: N idle DERP clients held open; connect time and server RSS per connection. */
@Command(name = "conns", mixinStandardHelpOptions = true,
        description = "Open N idle DERP clients and hold them; with --pid, the server's RSS per connection.")
public class ConnsBenchCommand implements Callable<Integer> {
    @Inject
    Vertx vertx;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:3000/derp", description = "Relay URL (default ${DEFAULT-VALUE})")
    URI url;

    @Option(names = "--n", defaultValue = "1000", description = "Connections (default ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--batch", defaultValue = "200", description = "Connections opened concurrently (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--hold", defaultValue = "5", description = "Seconds to hold them before measuring (default ${DEFAULT-VALUE})")
    int hold;

    @Option(names = "--pid", description = "Server PID: report its RSS growth per connection")
    Long pid;

    @Override
    public Integer call() throws Exception {
        OptionalLong before = pid == null ? OptionalLong.empty() : ProcessMemory.residentBytes(pid);
        DerpIdleConnections.Result result = DerpIdleConnections.open(vertx, url, count, batch);
        Thread.sleep(hold * 1000L);
        OptionalLong after = pid == null ? OptionalLong.empty() : ProcessMemory.residentBytes(pid);
        double perConnection = before.isPresent() && after.isPresent()
                ? (after.getAsLong() - before.getAsLong()) / (double) result.opened() : -1;
        System.out.printf(Locale.ROOT, "conns: %d idle connections open in %.2f s%s%n", result.opened(),
                result.connectTime().toNanos() / 1e9,
                perConnection >= 0 ? String.format(Locale.ROOT, ", server RSS +%.1f kB per connection", perConnection / 1000) : "");
        System.out.printf(Locale.ROOT, "{\"bench\":\"conns\",\"opened\":%d,\"connect_seconds\":%.3f,\"rss_bytes_per_connection\":%.0f}%n",
                result.opened(), result.connectTime().toNanos() / 1e9, perConnection);
        for (var client : result.clients()) {
            client.close();
        }
        return 0;
    }
}
