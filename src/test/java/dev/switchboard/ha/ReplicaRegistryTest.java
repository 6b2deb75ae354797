package dev.switchboard.ha;

import dev.switchboard.bench.FreshServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replicas on the real PostgreSQL, each with a Vert.x of its own (as separate processes would have), with short
 * timings: 300 ms beats, alive for 1.5 s.
 */
@EnabledIf("dev.switchboard.ha.TestDatabase#available")
class ReplicaRegistryTest {
    static final HaTimings FAST = new HaTimings(Duration.ofMillis(300), Duration.ofMillis(1500), 3, Duration.ofHours(1));
    private static TestDatabase database;
    private final List<Vertx> vertxes = new ArrayList<>();

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
        for (Vertx vertx : vertxes) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        database.sql("DELETE FROM replicas");
    }

    @Test
    void twoReplicasSeeEachOtherAndAStoppedOneLeavesAtOnce() throws Exception {
        ReplicaRegistry a = replica("a", 999, FAST);
        ReplicaRegistry b = replica("b", 999, FAST);
        done(a.start());
        done(b.start());
        await().atMost(Duration.ofSeconds(10)).until(() -> ids(a.siblings()).equals(List.of(b.self().id()))
                && ids(b.siblings()).equals(List.of(a.self().id())));
        Replica seen = a.siblings().get(0);
        assertEquals("b", seen.hostname());
        assertEquals("http://b.internal:3000", seen.relayUrl());
        assertEquals(List.of(seen), a.meshPeers());
        assertTrue(a.healthy());

        done(b.stop());
        await().atMost(Duration.ofSeconds(10)).until(() -> a.siblings().isEmpty());
        assertEquals(List.of(a.self().id().toString()), database.query("SELECT id::text FROM replicas"));
    }

    @Test
    void aReplicaThatStopsBeatingDisappearsAfterTheAliveWindow() throws Exception {
        ReplicaRegistry a = replica("a", 999, FAST);
        ReplicaRegistry crashed = replica("crashed", 999, FAST);
        done(a.start());
        done(crashed.start());
        await().atMost(Duration.ofSeconds(10)).until(() -> a.siblings().size() == 1);
        // A crash: its Vert.x goes away without deregistering, the row stays and only ages.
        vertxes.remove(1).close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        long crashedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.siblings().isEmpty());
        long gone = Duration.ofNanos(System.nanoTime() - crashedAt).toMillis();
        assertTrue(gone >= FAST.aliveWindow().toMillis() - FAST.heartbeat().toMillis() * 2,
                "dropped after " + gone + " ms, before the alive window could pass");
        assertEquals(2, database.query("SELECT id FROM replicas").size(), "the stale row waits for the cleanup");
    }

    @Test
    void aNotificationIsReadAtOnceWithoutWaitingForTheNextBeat() throws Exception {
        HaTimings slow = new HaTimings(Duration.ofSeconds(60), Duration.ofSeconds(180), 3, Duration.ofHours(1));
        ReplicaRegistry a = replica("a", 999, slow);
        done(a.start());
        Thread.sleep(1000); // LISTEN connected
        ReplicaRegistry b = replica("b", 999, slow);
        done(b.start());
        // b's first beat read a; a's next beat is a minute away, so only b's NOTIFY can tell a.
        assertEquals(List.of(a.self().id()), ids(b.siblings()));
        await().atMost(Duration.ofSeconds(5)).until(() -> ids(a.siblings()).equals(List.of(b.self().id())));
        done(b.stop());
        await().atMost(Duration.ofSeconds(5)).until(() -> a.siblings().isEmpty());
    }

    @Test
    void meshPeersAreTheSiblingsOfTheSameRegion() throws Exception {
        ReplicaRegistry a = replica("a", 999, FAST);
        ReplicaRegistry sameRegion = replica("same", 999, FAST);
        ReplicaRegistry otherRegion = replica("other", 1000, FAST);
        done(a.start());
        done(sameRegion.start());
        done(otherRegion.start());
        await().atMost(Duration.ofSeconds(10)).until(() -> a.siblings().size() == 2);
        assertEquals(List.of(sameRegion.self().id()), ids(a.meshPeers()));
    }

    @Test
    void cleanupRemovesOnlyStaleRowsAndOneReplicaAtATime() throws Exception {
        database.sql("INSERT INTO replicas SELECT gen_random_uuid(), 'old', 'http://old', 999, 'v', now() - interval '2 hours',"
                + " now() - interval '1 hour', '' FROM generate_series(1, 150)");
        ReplicaRegistry a = replica("a", 999, FAST);
        done(a.start());
        Vertx vertx = vertxes.get(0);
        Pool pool1 = database.pool(vertx);
        Pool pool2 = database.pool(vertx);
        // Two replicas cleaning at once: bounded batches, and whoever does not get the lock skips.
        List<Integer> removed = List.of(new ReplicaStore(pool1).cleanUp(1.5, 100), new ReplicaStore(pool2).cleanUp(1.5, 100))
                .stream().map(f -> {
                    try {
                        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).toList();
        assertTrue(removed.stream().allMatch(n -> n <= 100), removed::toString);
        assertTrue(removed.stream().mapToInt(Integer::intValue).sum() >= 100, removed::toString);
        done(new ReplicaStore(pool1).cleanUp(1.5, 100).mapEmpty());
        done(new ReplicaStore(pool1).cleanUp(1.5, 100).mapEmpty());
        assertEquals(List.of(a.self().id().toString()), database.query("SELECT id::text FROM replicas"));
    }

    @Test
    void aSiblingWhoseRelayDoesNotAnswerBecomesTheReplicasError() throws Exception {
        Vertx serverVertx = Vertx.vertx();
        vertxes.add(serverVertx);
        HttpServer relay = serverVertx.createHttpServer().requestHandler(request -> request.response()
                .setStatusCode(request.path().equals("/derp/latency-check") ? 200 : 404).end());
        int port = relay.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                .actualPort();
        int closedPort = FreshServer.freePort();
        ReplicaRegistry a = replica("a", 999, FAST);
        ReplicaRegistry answering = replica("answering", URI.create("http://127.0.0.1:" + port), 999, FAST);
        ReplicaRegistry silent = replica("silent", URI.create("http://127.0.0.1:" + closedPort), 999, FAST);
        done(answering.start());
        done(silent.start());
        done(a.start());
        String expected = "Failed to dial peers: ping sibling replica silent (http://127.0.0.1:" + closedPort + "): ";
        await().atMost(Duration.ofSeconds(10)).until(() -> a.peerError().startsWith(expected));
        assertTrue(!a.peerError().contains("answering"), a.peerError());
        await().atMost(Duration.ofSeconds(10)).until(() -> database.query(
                "SELECT error FROM replicas WHERE id = '" + a.self().id() + "'").equals(List.of(a.peerError())));
        done(silent.stop());
        await().atMost(Duration.ofSeconds(10)).until(() -> a.peerError().isEmpty());
    }

    private ReplicaRegistry replica(String host, int region, HaTimings timings) {
        return replica(host, URI.create("http://" + host + ".internal:3000"), region, timings);
    }

    private ReplicaRegistry replica(String host, URI relayUrl, int region, HaTimings timings) {
        Vertx vertx = Vertx.vertx();
        vertxes.add(vertx);
        return new ReplicaRegistry(vertx, database.pool(vertx), database.connectOptions(),
                new Replica.Self(UUID.randomUUID(), host, relayUrl, region, "test"), timings);
    }

    private static List<UUID> ids(List<Replica> replicas) {
        return replicas.stream().map(Replica::id).toList();
    }

    static void done(Future<Void> future) throws Exception {
        future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
