package dev.switchboard.ha;

import dev.switchboard.bench.FreshReplicas;
import dev.switchboard.bench.FreshServer;
import dev.switchboard.bench.Readiness;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.testing.PeerProcess;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replicas as separate server processes (the packaged application, as the README starts it) on one real PostgreSQL
 * database, with `switchboard agent` and `switchboard ping` as processes of their own: the agent coordinates on A,
 * the client on B. Runs after {@code package} (failsafe), with relay admission on, so every relayed ping also proves
 * that a key coordinated on the other replica is admitted. Faults: a new replica is meshed, a crashed one
 * ({@code kill -9}) is LOST to the agent within 8 s and the client re-homes to A, and a PostgreSQL restart turns the
 * replicas' readiness DOWN and back UP without a restart of theirs.
 */
@EnabledIf("dev.switchboard.ha.TestDatabase#available")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HaProcessesIT {
    private static final String AGENT = "3f1e6f1a-2b3c-4d5e-8f90-0123456789ab";
    private static final String USER = "11111111-2222-3333-4444-555555555555";
    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final Duration PING_WITHIN = Duration.ofSeconds(45);

    private final List<AutoCloseable> running = new ArrayList<>();
    private TestDatabase database;
    private Path signingKey;
    private Path log;
    private Vertx vertx;

    @BeforeEach
    void keysAndDatabase(@TempDir Path dir) throws Exception {
        assertTrue(Files.exists(JAR), JAR + ": run after package (./mvnw verify)");
        database = TestDatabase.create();
        log = dir.resolve("servers.log");
        try (PeerProcess keys = PeerProcess.start(null, Map.of(), "keys", "generate", "--out", dir.resolve("keys").toString())) {
            assertEquals(0, keys.exitCode(Duration.ofSeconds(30)), keys.transcript());
        }
        signingKey = dir.resolve("keys").resolve("token-signing-key.pem");
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : running.reversed()) {
            c.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        database.close();
    }

    @Test
    void anAgentOnOneReplicaAndAClientOnAnotherSurviveCrashesJoinsAndADatabaseRestart() throws Exception {
        Replica a = replica("a");
        Replica b = replica("b");
        await().atMost(Duration.ofSeconds(20)).until(() -> meshPeersConnected(a) == 1 && meshPeersConnected(b) == 1);
        PeerProcess agent = client(a, agentToken(), "agent");
        agent.expect(false, 0, l -> l.startsWith("coordinator connected"), Duration.ofSeconds(30), "connection");

        // Across replicas: direct, and relayed through B → mesh → A (both keys admitted by verify-clients).
        ping(b, "p2p via");
        ping(b, "proxied via DERP", "--disable-direct-connections");
        assertTrue(unknownKeyRefused(a) && unknownKeyRefused(b), "verify-clients admitted a key nobody coordinated");

        // A new replica is meshed with both within 10 s.
        Replica c = replica("c");
        await().atMost(Duration.ofSeconds(10)).until(() -> meshPeersConnected(a) == 2 && meshPeersConnected(c) == 2);
        assertTrue(unknownKeyRefused(c), "verify-clients on the new replica too");

        // kill -9 of B while its client pings: the agent on A sees the client LOST within 8 s.
        PeerProcess pinging = client(b, userToken(), "ping", AGENT, "--disable-direct-connections");
        pinging.expect(true, 0, l -> l.contains("pong from"), PING_WITHIN, "pong through B");
        int seen = agent.lineCount(false);
        b.server.crash();
        long crashed = System.nanoTime();
        agent.expect(false, seen, l -> l.contains(": LOST"), Duration.ofSeconds(8), "LOST after B's crash");
        assertTrue(System.nanoTime() - crashed < Duration.ofSeconds(8).toNanos());
        // The client re-homes to A.
        ping(a, "proxied via DERP", "--disable-direct-connections");

        // PostgreSQL restarted under load (down long enough for three failed beats): readiness DOWN, then UP again
        // without a restart of the replicas, and coordination works again.
        Optional<PostgresCluster> cluster = PostgresCluster.onThisMachine();
        if (cluster.isPresent()) {
            PeerProcess load = client(c, userToken(), "ping", AGENT, "--disable-direct-connections", "--wait", "200ms");
            load.expect(true, 0, l -> l.contains("pong from"), PING_WITHIN, "pong through C");
            try {
                cluster.get().run("stop");
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> !databaseUp(a) && !databaseUp(c));
            } finally {
                cluster.get().run("start");
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> databaseUp(a) && databaseUp(c));
            int after = load.lineCount(true);
            load.expect(true, after, l -> l.contains("pong from"), PING_WITHIN, "pongs after the restart");
            ping(a, "proxied via DERP", "--disable-direct-connections");
        }
    }

    /** One server process on the shared database, with its own relay key and config directory. */
    private Replica replica(String name) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // No warm-up: replicas warming up side by side on 2 cores would stretch the HA timings under test.
        FreshReplicas.Member member = FreshReplicas.startReplica(List.of(java, "-jar", JAR.toString(), "server"),
                database.coderUrl(), signingKey, Map.of("CODER_DERP_SERVER_VERIFY_CLIENTS", "true",
                        "CODER_DERP_SERVER_WARMUP", "0s"), log);
        running.add(member.server());
        return new Replica(name, member.server(), member.management());
    }

    private record Replica(String name, FreshServer server, URI management) {
    }

    private PeerProcess client(Replica on, String token, String... args) throws IOException {
        Map<String, String> env = Map.of("CODER_URL", on.server.baseUrl().toString(),
                args[0].equals("agent") ? "CODER_AGENT_TOKEN" : "CODER_SESSION_TOKEN", token);
        PeerProcess process = PeerProcess.start(null, env, args);
        running.add(process);
        return process;
    }

    private void ping(Replica via, String path, String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("ping", AGENT, "-n", "3", "-t", "10s"));
        args.addAll(List.of(flags));
        try (PeerProcess ping = PeerProcess.start(null, Map.of("CODER_URL", via.server.baseUrl().toString(),
                "CODER_SESSION_TOKEN", userToken()), args.toArray(String[]::new))) {
            ping.expect(true, 0, l -> l.contains("pong from") && l.contains(path), PING_WITHIN,
                    "'" + path + "' pong via " + via.name);
        }
    }

    private String agentToken() throws Exception {
        return token("--role", "agent", "--subject", AGENT);
    }

    private String userToken() throws Exception {
        return token("--role", "user", "--subject", USER, "--agents", AGENT);
    }

    private String token(String... claims) throws Exception {
        List<String> args = new ArrayList<>(List.of("token", "create"));
        args.addAll(List.of(claims));
        try (PeerProcess create = PeerProcess.start(null, Map.of("CODER_AUTH_SIGNING_KEY_FILE", signingKey.toString()),
                args.toArray(String[]::new))) {
            assertEquals(0, create.exitCode(Duration.ofSeconds(30)), create.transcript());
            return create.stdout().getFirst().strip();
        }
    }

    /** A DERP client whose key no peer announced is closed at the handshake. */
    private boolean unknownKeyRefused(Replica replica) {
        return DerpClient.connect(vertx, DerpClientOptions.of(replica.server.derpUrl(), NodePrivateKey.generate()))
                .toCompletionStage().toCompletableFuture().handle((client, failure) -> {
                    if (client != null) {
                        client.close();
                    }
                    return failure != null;
                }).join();
    }

    private static int meshPeersConnected(Replica replica) throws Exception {
        return Readiness.meshPeersConnected(replica.management);
    }

    private static boolean databaseUp(Replica replica) throws Exception {
        return Readiness.databaseUp(replica.management);
    }

    /** This machine's PostgreSQL cluster, when the test may stop and start it (root, pg_ctlcluster, TEST_PG_URL). */
    private record PostgresCluster(String version) {
        static Optional<PostgresCluster> onThisMachine() throws IOException {
            Path clusters = Path.of("/etc/postgresql");
            if (System.getenv("TEST_PG_URL") == null || !Files.isDirectory(clusters)
                    || !"root".equals(System.getProperty("user.name"))) {
                return Optional.empty();
            }
            try (var versions = Files.list(clusters)) {
                return versions.findFirst().map(v -> new PostgresCluster(v.getFileName().toString()));
            }
        }

        void run(String action) throws Exception {
            Process pg = new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action)
                    .inheritIO().start();
            assertEquals(0, pg.waitFor(), "pg_ctlcluster " + action);
        }
    }
}
