package dev.switchboard.ha;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.switchboard.ha.ReplicaRegistryTest.FAST;
import static dev.switchboard.ha.ReplicaRegistryTest.done;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heartbeat-failure rule behind readiness check {@code database}: DOWN after 3 failed beats, UP after one good. */
@EnabledIf("dev.switchboard.ha.TestDatabase#available")
class DatabaseReadinessTest {
    private static TestDatabase database;
    private Vertx vertx;

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.create();
        database.migrate();
    }

    @AfterAll
    static void drop() {
        if (database != null) {
            database.close();
        }
    }

    @AfterEach
    void closeVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aDatabaseThatIsNotThereTurnsReadinessDownAfterThreeBeats() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        vertx = Vertx.vertx();
        PgConnectOptions nowhere = database.connectOptions().setPort(closedPort);
        ReplicaRegistry registry = new ReplicaRegistry(vertx, io.vertx.pgclient.PgBuilder.pool()
                .connectingTo(nowhere).using(vertx).build(), nowhere, self(), FAST);
        done(registry.start());
        assertTrue(registry.healthy(), "one failed beat is not yet DOWN");
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.consecutiveFailures() >= 3);
        assertFalse(registry.healthy());
        assertTrue(registry.lastError().orElseThrow().toLowerCase().contains("connection refused"),
                registry.lastError().orElseThrow());
    }

    @Test
    void failingHeartbeatsTurnReadinessDownAndItRecoversByItself() throws Exception {
        vertx = Vertx.vertx();
        ReplicaRegistry registry = new ReplicaRegistry(vertx, database.pool(vertx), database.connectOptions(), self(),
                FAST);
        done(registry.start());
        assertTrue(registry.healthy());
        // Every beat fails while the table is away, as when the database refuses writes.
        database.sql("ALTER TABLE replicas RENAME TO replicas_away");
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> !registry.healthy());
        } finally {
            database.sql("ALTER TABLE replicas_away RENAME TO replicas");
        }
        await().atMost(Duration.ofSeconds(10)).until(registry::healthy);
        assertTrue(registry.lastError().isEmpty());
        done(registry.stop());
    }

    private static Replica.Self self() {
        return new Replica.Self(UUID.randomUUID(), "probe", URI.create("http://probe:3000"), 999, "test");
    }
}
