package dev.switchboard.cli;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import dev.switchboard.bench.DatabaseWrites;
import dev.switchboard.bench.FreshReplicas;
import dev.switchboard.bench.HaLoad;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.PgConnectionUrl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code switchboard bench ha}: the HA figures of issue 15 from one command. It starts fresh replicas on a
 * throw-away database of the given PostgreSQL server, runs {@link HaLoad} against them while sampling the
 * database's writes, prints the report, and stops the replicas and drops the database again.
 */
@Command(name = "ha", mixinStandardHelpOptions = true,
        description = "Fresh replicas on one database: node-update propagation across replicas, and database writes"
                + " during a reconnect storm.")
public class HaBenchCommand implements Callable<Integer> {
    /** Sockets the tool needs beyond its peers' (JVM, HTTP probes, JDBC). */
    private static final long SPARE_FILES = 200;
    /** The replicas' query names ({@code CoordinatorStore}): a local peer's state written, remote peers read. */
    private static final String WRITE = "write_peer";
    private static final String READ = "bindings";

    @ParentCommand
    BenchCommand bench;

    @Option(names = "--pg-url", required = true, description = "PostgreSQL server to create the throw-away database on,"
            + " postgres://user:pass@host:5432/db (its database is only connected to)")
    String pgUrl;

    @Option(names = "--replicas", defaultValue = "3", description = "Replicas (default ${DEFAULT-VALUE})")
    int replicas;

    @Option(names = "--agents", defaultValue = "1000", description = "Agents, one client each (default ${DEFAULT-VALUE})")
    int agents;

    @Option(names = "--rounds", defaultValue = "5", description = "Node updates per agent to time (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--round-spacing", defaultValue = "1s", converter = GoDurationOption.Converter.class,
            description = "Each round's updates are spread over this long (default ${DEFAULT-VALUE})")
    Duration roundSpacing;

    @Option(names = "--sample-interval", defaultValue = "500ms", converter = GoDurationOption.Converter.class,
            description = "How often pg_stat_database is read, 100ms to 1s (default ${DEFAULT-VALUE})")
    Duration sampleInterval;

    @Mixin
    ServerCommandOption serverCommand;

    @Option(names = "--log", defaultValue = "target/bench-ha.log", description = "Replica output, appended (default ${DEFAULT-VALUE})")
    Path log;

    @Override
    public Integer call() throws Exception {
        PgConnectionUrl server = validated();
        try (FreshReplicas fresh = FreshReplicas.start(serverCommand.argv(), server, replicas,
                ServerCommandOption.logFile(log));
             DatabaseWrites writes = DatabaseWrites.start(fresh.server(), fresh.databaseName(), sampleInterval)) {
            KeyPair key = fresh.signingKey();
            HaLoad.Result result = new HaLoad(bench.vertx(), fresh.urls(),
                    fresh.members().stream().map(FreshReplicas.Member::management).toList(), agents, rounds, roundSpacing).run(
                    (agentId, isAgent) -> isAgent
                            ? TokenService.mint(key, agentId, Role.AGENT, List.of(), Duration.ofHours(1))
                            : TokenService.mint(key, UUID.randomUUID(), Role.USER, List.of(agentId), Duration.ofHours(1)),
                    writes);
            return report(result);
        }
    }

    /** The options, checked before anything starts; a mistake is a usage error (exit 2). */
    private PgConnectionUrl validated() {
        if (replicas < 2) {
            throw new UsageError("--replicas", "at least 2 (each client coordinates on another replica than its agent)");
        }
        if (agents < 1 || rounds < 1) {
            throw new UsageError(agents < 1 ? "--agents" : "--rounds", "at least 1");
        }
        if (sampleInterval.compareTo(Duration.ofMillis(100)) < 0 || sampleInterval.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new UsageError("--sample-interval", "100ms to 1s");
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os
                && 2L * agents + SPARE_FILES > os.getMaxFileDescriptorCount()) {
            throw new UsageError("--agents", "at most " + (os.getMaxFileDescriptorCount() - SPARE_FILES) / 2
                    + " with this open-files limit (" + os.getMaxFileDescriptorCount() + ", ulimit -n)");
        }
        try {
            return PgConnectionUrl.parse(pgUrl);
        } catch (ConfigException e) {
            // The parser's reason without its "CODER_PG_CONNECTION_URL=… is invalid: expected " (not that variable here).
            String message = e.getMessage();
            throw new UsageError("--pg-url", message.substring(message.indexOf("expected ") + "expected ".length()));
        }
    }

    private int report(HaLoad.Result r) {
        DatabaseWrites.Window storm = r.storm();
        String reconverge = r.reconverge() == null ? "not every client" : seconds(r.reconverge()) + " s";
        return new BenchReport("ha")
                .line("ha, %d replicas, %d agents + %d clients (each client on another replica than its agent)",
                        replicas, agents, agents)
                .line("propagation across replicas: %s of %d updates (%d repeats)", r.propagation().human(),
                        r.expected(), r.repeats())
                .line("reconnect storm of %d peers (%d clients resumed their peer ID): closed in %d ms, every client"
                                + " had its agent's new node after %s", r.peers(), r.resumed(), r.closeTime().toMillis(),
                        reconverge)
                .line("database writes: peak %.0f rows/s (%.0f commits/s), mean %.0f rows/s (%.0f commits/s) over %.1f s;"
                                + " %.0f rows beyond the idle %.1f rows/s = %.2f rows per peer reconnect%s",
                        storm.peakRowsPerSecond(), storm.peakCommitsPerSecond(), storm.rowsPerSecond(),
                        storm.commitsPerSecond(), storm.seconds(), r.stormRows(), r.baseline().rowsPerSecond(),
                        r.rowsPerPeer(), r.settled() ? "" : " (writes had not settled after 60 s)")
                .line("replicas' queries: rounds %d peer writes (mean %.1f ms), %d reads (mean %.1f ms); storm %d peer"
                                + " writes (mean %.1f ms), %d reads (mean %.1f ms); %d failed",
                        r.roundQueries().count(WRITE), r.roundQueries().meanMillis(WRITE), r.roundQueries().count(READ),
                        r.roundQueries().meanMillis(READ), r.stormQueries().count(WRITE),
                        r.stormQueries().meanMillis(WRITE), r.stormQueries().count(READ),
                        r.stormQueries().meanMillis(READ), r.roundQueries().errors() + r.stormQueries().errors())
                .field("replicas", replicas).field("agents", agents).field("rounds", rounds)
                .field("expected", r.expected()).latency(r.propagation()).field("repeats", r.repeats())
                .field("initial_converge_ms", r.initialConverge().toMillis())
                .field("resumed", r.resumed()).field("close_ms", r.closeTime().toMillis())
                .field("reconverge_ms", r.reconverge() == null ? -1 : r.reconverge().toMillis())
                .field("storm_seconds", storm.seconds(), 2)
                .field("peak_rows_per_s", storm.peakRowsPerSecond(), 0).field("mean_rows_per_s", storm.rowsPerSecond(), 0)
                .field("peak_commits_per_s", storm.peakCommitsPerSecond(), 0)
                .field("mean_commits_per_s", storm.commitsPerSecond(), 0)
                .field("storm_rows", storm.rows()).field("storm_commits", storm.commits())
                .field("idle_rows_per_s", r.baseline().rowsPerSecond(), 2)
                .field("rows_per_peer", r.rowsPerPeer(), 2).field("settled", r.settled())
                .field("round_peer_writes", r.roundQueries().count(WRITE))
                .field("round_write_ms", r.roundQueries().meanMillis(WRITE), 2)
                .field("storm_peer_writes", r.stormQueries().count(WRITE))
                .field("storm_write_ms", r.stormQueries().meanMillis(WRITE), 2)
                .field("storm_reads", r.stormQueries().count(READ))
                .field("storm_read_ms", r.stormQueries().meanMillis(READ), 2)
                .field("failed_queries", r.roundQueries().errors() + r.stormQueries().errors())
                .print(r.passed());
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.2f", d.toNanos() / 1e9);
    }
}
