package dev.switchboard.cli;

import dev.switchboard.bench.DerpIdleConnections;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/** {@code switchboard bench conns}: N idle DERP clients held open; connect time and server RSS per connection. */
@Command(name = "conns", mixinStandardHelpOptions = true,
        description = "Open N idle DERP clients and hold them; with --pid, the server's RSS per connection.")
public class ConnsBenchCommand implements Callable<Integer> {
    @ParentCommand
    BenchCommand bench;

    @Mixin
    RelayOptions relay;

    @Mixin
    ServerPidOption server;

    @Option(names = "--n", defaultValue = "1000", description = "Connections (default ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--batch", defaultValue = "200", description = "Connections opened concurrently (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--hold", defaultValue = "5", description = "Seconds to hold them before measuring (default ${DEFAULT-VALUE})")
    int hold;

    @Option(names = "--collect", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "Before each RSS reading, have the server JVM collect garbage (jcmd GC.run), so handshake "
                    + "garbage not yet collected is not counted (default ${DEFAULT-VALUE})")
    boolean collect;

    /** Whether every RSS reading so far followed a full collection. */
    private boolean collected = true;

    @Override
    public Integer call() throws Exception {
        OptionalLong before = residentBytes();
        DerpIdleConnections.Result result = DerpIdleConnections.open(bench.vertx(), relay.url, relay.webSocket, count, batch);
        Thread.sleep(hold * 1000L);
        OptionalLong rawAfter = server.residentBytes();
        OptionalLong after = residentBytes();
        double perConnection = before.isPresent() && after.isPresent()
                ? (after.getAsLong() - before.getAsLong()) / (double) result.opened() : -1;
        double seconds = result.connectTime().toNanos() / 1e9;
        int status = new BenchReport("conns")
                .line("conns: %d idle connections open in %.2f s%s", result.opened(), seconds, perConnection < 0 ? ""
                        : String.format(Locale.ROOT, ", server RSS +%.1f kB per connection (%s)",
                        perConnection / 1000, collected ? "after a full GC" : "as found"))
                .field("opened", result.opened()).field("connect_seconds", seconds, 3)
                .field("rss_bytes_per_connection", perConnection, 0).field("collected", collected)
                .field("rss_before", before.orElse(-1)).field("rss_after_uncollected", rawAfter.orElse(-1))
                .print(true);
        for (var client : result.clients()) {
            client.close();
        }
        return status;
    }

    /** The server's RSS, after a full collection when asked and possible. */
    private OptionalLong residentBytes() throws InterruptedException {
        if (!server.present()) {
            return OptionalLong.empty();
        }
        collected &= collect && server.collectGarbage();
        return server.residentBytes();
    }
}
