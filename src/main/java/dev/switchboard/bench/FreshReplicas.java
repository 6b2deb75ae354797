package dev.switchboard.bench;

import dev.switchboard.auth.KeyFiles;
import dev.switchboard.auth.TokenService;
import dev.switchboard.config.PgConnectionUrl;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * N fresh replicas ({@link FreshServer}s) on a throw-away database {@code sb_bench_<random>} created on the given
 * PostgreSQL server and dropped on close, so runs never see each other's rows. Each replica has its own config
 * directory (its own relay key, so the mesh tells siblings from itself) and they share one token signing key, so a
 * token minted with {@link #signingKey()} is accepted by all of them. Ready means every replica answered
 * {@code /healthz} and its DERP mesh is connected to all the others.
 */
public final class FreshReplicas implements AutoCloseable {
    /** One replica: its server process and its management listener (readiness, metrics). */
    public record Member(FreshServer server, URI management) {
    }

    private final PgConnectionUrl server;
    private final PgConnectionUrl database;
    private final Path keys;
    private final KeyPair signingKey;
    private final List<Member> members = new ArrayList<>();

    private FreshReplicas(PgConnectionUrl server, PgConnectionUrl database, Path keys) {
        this.server = server;
        this.database = database;
        this.keys = keys;
        this.signingKey = KeyFiles.loadOrCreateSigningKey(signingKeyFile());
    }

    /**
     * Creates the database, starts {@code count} replicas with {@code command} at once (their output appended to
     * {@code log}; start-up migrations and the mesh key are taken under advisory locks, so replicas may start
     * together, as pods do) and waits until they are meshed and ready; on any failure, what was started is stopped
     * again.
     */
    public static FreshReplicas start(List<String> command, PgConnectionUrl server, int count, Path log) throws Exception {
        String name = "sb_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute(server, "CREATE DATABASE " + name);
        FreshReplicas replicas = new FreshReplicas(server, server.withDatabase(name),
                Files.createTempDirectory("switchboard-bench-keys-"));
        try {
            List<Future<Member>> starting = new ArrayList<>();
            try (ExecutorService starter = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < count; i++) {
                    starting.add(starter.submit(() -> startReplica(command, replicas.database.coderUrl(),
                            replicas.signingKeyFile(), Map.of(), log)));
                }
            }
            Exception failed = null;
            for (Future<Member> member : starting) {
                try {
                    replicas.members.add(member.get());
                } catch (ExecutionException e) {
                    failed = e.getCause() instanceof Exception cause ? cause : e;
                }
            }
            if (failed != null) {
                throw failed;
            }
            replicas.awaitMesh(Duration.ofSeconds(30));
            for (Member member : replicas.members) {
                member.server().awaitReadiness(); // the relay's warm-up (CODER_DERP_SERVER_WARMUP) is over
            }
            return replicas;
        } catch (Exception e) {
            replicas.close();
            throw e;
        }
    }

    /**
     * One replica on {@code databaseUrl} (Coder's form) with the signing key in {@code signingKeyFile}, a management
     * listener on a free loopback port and no shutdown grace period (a stopped bench replica ends at once).
     */
    public static Member startReplica(List<String> command, String databaseUrl, Path signingKeyFile,
                                      Map<String, String> extraEnv, Path log) throws Exception {
        int management = FreshServer.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("CODER_PG_CONNECTION_URL", databaseUrl);
        env.put("CODER_AUTH_SIGNING_KEY_FILE", signingKeyFile.toString());
        env.put("CODER_PROMETHEUS_ADDRESS", "127.0.0.1:" + management);
        env.put("CODER_SHUTDOWN_GRACE_PERIOD", "0s");
        env.putAll(extraEnv);
        return new Member(FreshServer.start(command, env, log), URI.create("http://127.0.0.1:" + management));
    }

    private void awaitMesh(Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            boolean meshed = true;
            for (Member member : members) {
                meshed &= Readiness.meshPeersConnected(member.management()) == members.size() - 1;
            }
            if (meshed) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the " + members.size() + " replicas were not meshed within "
                        + within.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    /** The public base URLs, one per replica, in a fixed order. */
    public List<URI> urls() {
        return members.stream().map(m -> m.server().baseUrl()).toList();
    }

    public KeyPair signingKey() {
        return signingKey;
    }

    /** The throw-away database's name (what {@code pg_stat_database.datname} shows). */
    public String databaseName() {
        return database.database();
    }

    /** The PostgreSQL server the database was created on, with the URL's own database. */
    public PgConnectionUrl server() {
        return server;
    }

    private Path signingKeyFile() {
        return keys.resolve(Path.of(TokenService.SIGNING_KEY_FILE).getFileName());
    }

    private static void execute(PgConnectionUrl on, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(on.jdbcUrl(), on.user(), on.password());
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** Stops the replicas (last started first), drops the database even if a connection is left, deletes the key. */
    @Override
    public void close() throws Exception {
        try {
            for (Member member : members.reversed()) {
                member.server().close();
            }
        } finally {
            execute(server, "DROP DATABASE IF EXISTS " + database.database() + " WITH (FORCE)");
            Files.deleteIfExists(signingKeyFile());
            Files.deleteIfExists(keys);
        }
    }
}
