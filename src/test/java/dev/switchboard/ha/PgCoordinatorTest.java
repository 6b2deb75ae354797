package dev.switchboard.ha;

import dev.switchboard.coordinator.Authorizations;
import dev.switchboard.coordinator.CoordinationException;
import dev.switchboard.coordinator.Peer;
import dev.switchboard.coordinator.proto.CoordinateResponse.PeerUpdate;
import dev.switchboard.ha.CoordinatorReplicas.Recorder;
import dev.switchboard.ha.CoordinatorReplicas.Member;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static dev.switchboard.ha.CoordinatorReplicas.addTunnel;
import static dev.switchboard.ha.CoordinatorReplicas.disconnect;
import static dev.switchboard.ha.CoordinatorReplicas.done;
import static dev.switchboard.ha.CoordinatorReplicas.node;
import static dev.switchboard.ha.CoordinatorReplicas.readyForHandshake;
import static dev.switchboard.ha.CoordinatorReplicas.updateSelf;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The coordinator across replicas on the real PostgreSQL: two (or three) coordinators in one JVM, each with its own
 * Vert.x and pool as separate processes would have, agent on one and client on another; each test in a fresh
 * database. Short timings (300 ms beats) except where the production bound itself is checked.
 */
@EnabledIf("dev.switchboard.ha.TestDatabase#available")
class PgCoordinatorTest {
    static final CoordinatorTimings FAST = new CoordinatorTimings(Duration.ofMillis(300), 3, 3,
            Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofHours(24));
    private static final Duration WAIT = Duration.ofSeconds(10);

    private TestDatabase database;
    private CoordinatorReplicas replicas;
    private final UUID agentId = UUID.randomUUID();
    private final UUID clientId = UUID.randomUUID();
    private final Recorder agentStream = new Recorder();
    private final Recorder clientStream = new Recorder();

    @BeforeEach
    void freshDatabase() {
        database = TestDatabase.create();
        database.migrate();
        replicas = new CoordinatorReplicas(database);
    }

    @AfterEach
    void drop() throws Exception {
        if (replicas != null) {
            replicas.close();
        }
        if (database != null) {
            database.close();
        }
    }

    /** Agent on {@code a}, client on {@code b}, nodes exchanged both ways. */
    private Peer[] exchange(Member a, Member b) throws CoordinationException {
        Peer agent = a.connect(agentId, Authorizations.agent(agentId), agentStream);
        a.coordinator.handle(agent, updateSelf(node(1)));
        Peer client = b.connect(clientId, Authorizations.client(agentId), clientStream);
        b.coordinator.handle(client, updateSelf(node(2)));
        b.coordinator.handle(client, addTunnel(agentId));
        await("the client gets the agent's node").atMost(WAIT).until(() -> clientStream.hasNode(agentId, 1));
        await("the agent gets the client's node").atMost(WAIT).until(() -> agentStream.hasNode(clientId, 2));
        return new Peer[]{agent, client};
    }

    @Test
    void agentAndClientOnDifferentReplicasExchangeNodesAndReadyForHandshake() throws Exception {
        Member a = replicas.start(FAST);
        Member b = replicas.start(FAST);
        Peer[] peers = exchange(a, b);
        assertEquals("new", clientStream.last(agentId).getReason());

        a.coordinator.handle(peers[0], readyForHandshake(clientId));
        await("READY_FOR_HANDSHAKE crosses replicas").atMost(WAIT)
                .until(() -> clientStream.got(agentId, PeerUpdate.Kind.READY_FOR_HANDSHAKE));
        assertTrue(agentStream.responses.stream().noneMatch(r -> !r.getError().isEmpty()), "the agent shares a tunnel");

        a.coordinator.handle(peers[0], updateSelf(node(1).toBuilder().addEndpoints("192.0.2.1:41641").build()));
        await("a node update crosses replicas").atMost(WAIT)
                .until(() -> clientStream.last(agentId).getNode().getEndpointsCount() == 1);
        assertEquals("update", clientStream.last(agentId).getReason());
        long nodes = clientStream.about(agentId).stream().filter(u -> u.getKind() == PeerUpdate.Kind.NODE).count();
        assertEquals(2, nodes, "unchanged nodes are not sent again: " + clientStream.about(agentId));
        assertEquals(List.of("1"), database.query("SELECT count(*) FROM tunnels"));
    }

    @Test
    void aGracefulDisconnectIsDisconnectedAndADroppedStreamLostOnTheOtherReplica() throws Exception {
        Member a = replicas.start(FAST);
        Member b = replicas.start(FAST);
        Peer[] peers = exchange(a, b);
        b.coordinator.lost(peers[1]);
        await("a dropped client is LOST").atMost(WAIT).until(() -> agentStream.got(clientId, PeerUpdate.Kind.LOST));
        assertEquals(List.of("lost"), database.query("SELECT status::text FROM peers WHERE id = '" + clientId + "'"));
        assertEquals(List.of("1"), database.query("SELECT count(*) FROM tunnels"), "a lost peer keeps its tunnels");

        Recorder again = new Recorder();
        Peer client = b.connect(clientId, Authorizations.client(agentId), again);
        // As a client re-sends its node and tunnels on reconnect, in one request.
        b.coordinator.handle(client, updateSelf(node(3)).toBuilder().setAddTunnel(addTunnel(agentId).getAddTunnel())
                .build());
        await("back: found").atMost(WAIT).until(() -> agentStream.hasNode(clientId, 3));
        assertEquals("found", agentStream.last(clientId).getReason());

        b.coordinator.handle(client, disconnect());
        await("a graceful disconnect is DISCONNECTED").atMost(WAIT)
                .until(() -> agentStream.last(clientId).getKind() == PeerUpdate.Kind.DISCONNECTED);
        assertEquals(List.of("0 0"), database.query("SELECT (SELECT count(*) FROM peers WHERE id = '" + clientId
                + "') || ' ' || (SELECT count(*) FROM tunnels)"));
    }

    @Test
    void aCoordinatorThatStopsBeatingHasItsPeersLostWithinEightSeconds() throws Exception {
        Member a = replicas.start(CoordinatorTimings.CODER);
        Member b = replicas.start(CoordinatorTimings.CODER);
        exchange(a, b);
        a.kill();
        long killed = System.nanoTime();
        await("LOST after 3 missed beats").atMost(Duration.ofSeconds(9))
                .until(() -> clientStream.got(agentId, PeerUpdate.Kind.LOST));
        long millis = Duration.ofNanos(System.nanoTime() - killed).toMillis();
        assertTrue(millis < 8000, "LOST after " + millis + " ms");
        assertTrue(millis >= 4000 - 2000, "LOST before the heartbeat could expire: " + millis + " ms");
        assertFalse(clientStream.got(agentId, PeerUpdate.Kind.DISCONNECTED), "LOST, not DISCONNECTED");
    }

    @Test
    void aKnownNodeBeatsALostOne() throws Exception {
        Member a = replicas.start(FAST);
        Member b = replicas.start(FAST);
        Peer[] peers = exchange(a, b);
        a.coordinator.lost(peers[0]);
        await("agent LOST").atMost(WAIT).until(() -> clientStream.got(agentId, PeerUpdate.Kind.LOST));
        // The agent reconnects to a third replica; its lost row on a stays, newer or not.
        Member c = replicas.start(FAST);
        Peer agent = c.connect(agentId, Authorizations.agent(agentId), new Recorder());
        c.coordinator.handle(agent, updateSelf(node(7)));
        await("the known node wins").atMost(WAIT).until(() -> clientStream.hasNode(agentId, 7));
        assertEquals("found", clientStream.last(agentId).getReason());
        database.sql("UPDATE peers SET updated_at = now() + interval '1 hour' WHERE coordinator_id = '" + a.shared.id() + "'");
        long reads = bindingReads(b);
        database.sql("SELECT pg_notify('coordinator_peer', '" + a.shared.id() + "," + agentId + "')");
        await("b re-reads the agent").atMost(WAIT).until(() -> bindingReads(b) > reads);
        assertTrue(clientStream.hasNode(agentId, 7), "the newer lost row must not win: " + clientStream.about(agentId));
    }

    private static long bindingReads(Member replica) {
        var timer = replica.metrics.find("switchboard.coordinator.database").tag("query", "bindings").timer();
        return timer == null ? 0 : timer.count();
    }

    @Test
    void anOverwriteOnTheSameReplicaKeepsTheRemoteMapping() throws Exception {
        Member a = replicas.start(FAST);
        Member b = replicas.start(FAST);
        exchange(a, b);
        Recorder second = new Recorder();
        Peer agent = a.connect(agentId, Authorizations.agent(agentId), second);
        assertEquals("peer ID overwritten by new connection", agentStream.closedWith);
        await("the new stream gets the client").atMost(WAIT).until(() -> second.hasNode(clientId, 2));
        a.coordinator.handle(agent, updateSelf(node(5)));
        await("the client follows").atMost(WAIT).until(() -> clientStream.hasNode(agentId, 5));
        assertTrue(clientStream.about(agentId).stream().allMatch(u -> u.getKind() == PeerUpdate.Kind.NODE),
                "no churn: " + clientStream.about(agentId));
    }

    @Test
    void authorizationHoldsAcrossReplicas() throws Exception {
        Member a = replicas.start(FAST);
        Member b = replicas.start(FAST);
        UUID otherAgent = UUID.randomUUID();
        Recorder otherStream = new Recorder();
        Peer other = a.connect(otherAgent, Authorizations.agent(otherAgent), otherStream);
        a.coordinator.handle(other, updateSelf(node(9)));
        Peer agent = a.connect(agentId, Authorizations.agent(agentId), agentStream);
        a.coordinator.handle(agent, updateSelf(node(1)));

        Peer user = b.connect(clientId, Authorizations.userClient(UUID.randomUUID(), Set.of(agentId)), clientStream);
        b.coordinator.handle(user, updateSelf(node(2)));
        assertEquals("authorization: workspace agent not found or you do not have permission",
                assertThrows(CoordinationException.class, () -> b.coordinator.handle(user, addTunnel(otherAgent)))
                        .getMessage());
        b.coordinator.handle(user, addTunnel(agentId));
        await().atMost(WAIT).until(() -> agentStream.hasNode(clientId, 2) && clientStream.hasNode(agentId, 1));
        assertTrue(otherStream.about(clientId).isEmpty(), "the refused agent learns nothing");
        assertTrue(clientStream.about(otherAgent).isEmpty());
        assertEquals(List.of(clientId + " " + agentId), database.query("SELECT src_id || ' ' || dst_id FROM tunnels"));
    }

    @Test
    void aGracefulStopMarksItsPeersLostAtOnceAndDeletesNothing() throws Exception {
        // Beats expire only after 30 s here: LOST within 3 s comes from the stop itself.
        CoordinatorTimings slowExpiry = new CoordinatorTimings(Duration.ofMillis(300), 100, 3, Duration.ofMinutes(5),
                Duration.ofHours(1), Duration.ofHours(24));
        Member a = replicas.start(slowExpiry);
        Member b = replicas.start(slowExpiry);
        exchange(a, b);
        a.coordinator.close();
        done(a.shared.stop());
        await("LOST without waiting for expiry").atMost(Duration.ofSeconds(3))
                .until(() -> clientStream.got(agentId, PeerUpdate.Kind.LOST));
        assertEquals(List.of("stopped lost"), database.query("SELECT c.status || ' ' || p.status FROM coordinators c"
                + " JOIN peers p ON p.coordinator_id = c.id WHERE c.id = '" + a.shared.id() + "'"));
        assertEquals(List.of("1"), database.query("SELECT count(*) FROM tunnels"));
    }

    @Test
    void failingHeartbeatsMakeItUnhealthyUntilTheDatabaseAnswersAgain() throws Exception {
        Member a = replicas.start(FAST);
        Peer agent = a.connect(agentId, Authorizations.agent(agentId), agentStream);
        a.coordinator.handle(agent, updateSelf(node(1)));
        database.sql("ALTER TABLE coordinators RENAME TO coordinators_away");
        await("unhealthy after 3 failed beats").atMost(WAIT).until(() -> !a.shared.healthy());
        assertEquals("coordinator unhealthy", agentStream.closedWith);
        assertEquals("coordinator unhealthy", assertThrows(CoordinationException.class,
                () -> a.connect(UUID.randomUUID(), Authorizations.singleTailnet(), new Recorder())).getMessage());

        database.sql("ALTER TABLE coordinators_away RENAME TO coordinators");
        await("healthy again").atMost(WAIT).until(() -> a.shared.healthy());
        a.connect(UUID.randomUUID(), Authorizations.singleTailnet(), new Recorder());
        await().atMost(WAIT).until(() -> database.query("SELECT status::text FROM peers WHERE id = '" + agentId + "'")
                .equals(List.of("lost")));
    }

    @Test
    void cleanupRemovesOnlyRowsPastRetentionInBoundedBatches() throws Exception {
        UUID live = UUID.randomUUID();
        UUID dead = UUID.randomUUID();
        String old = "now() - interval '25 hours'";
        database.sql("INSERT INTO coordinators (id, heartbeat_at) VALUES ('" + live + "', now()), ('" + dead + "', " + old + ")",
                "INSERT INTO peers SELECT gen_random_uuid(), '" + dead + "', " + old + ", decode('', 'hex'), 'ok'"
                        + " FROM generate_series(1, 150)",
                "INSERT INTO tunnels SELECT '" + dead + "', gen_random_uuid(), gen_random_uuid(), " + old
                        + " FROM generate_series(1, 150)",
                "INSERT INTO peers VALUES (gen_random_uuid(), '" + live + "', " + old + ", decode('', 'hex'), 'lost'),"
                        + " ('" + live + "', '" + live + "', now(), decode('', 'hex'), 'lost'),"
                        + " ('" + dead + "', '" + live + "', " + old + ", decode('', 'hex'), 'ok')",
                "INSERT INTO tunnels VALUES ('" + live + "', '" + dead + "', gen_random_uuid(), " + old + ")");
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            CoordinatorStore store = new CoordinatorStore(database.pool(vertx), live,
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
            List<Integer> passes = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                passes.add(store.cleanUp(Duration.ofHours(24), 100).toCompletionStage().toCompletableFuture().get());
            }
            // 151 stale peers and 150 orphaned tunnels, 100 a pass each; the dead coordinator once it is empty.
            assertEquals(List.of(200, 102, 0, 0), passes);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        assertEquals(List.of(live.toString()), database.query("SELECT id::text FROM coordinators"));
        assertEquals(List.of(live + " lost", dead + " ok"),
                database.query("SELECT id || ' ' || status FROM peers ORDER BY id = '" + dead + "'"));
        assertEquals(List.of("1"), database.query("SELECT count(*) FROM tunnels"), "its source still has a row");
    }

    @Test
    void relayAdmissionKnowsTheNodeKeysPeersAnnouncedOnAnyReplica() throws Exception {
        Member a = replicas.start(FAST);
        Member b = replicas.start(FAST);
        dev.switchboard.derp.NodeKey announced = dev.switchboard.derp.NodePrivateKey.generate().publicKey();
        Peer agent = a.connect(agentId, Authorizations.agent(agentId), agentStream);
        a.coordinator.handle(agent, updateSelf(node(1).toBuilder().setKey(RelayAdmission.binary(announced)).build()));
        var key = RelayAdmission.binary(announced);
        assertTrue(RelayAdmission.admits(key, a.coordinator, java.util.Optional.empty()).result(), "known here");
        await("written").atMost(WAIT).until(() -> a.shared.pendingWrites() == 0);
        assertTrue(get(RelayAdmission.admits(key, b.coordinator, java.util.Optional.of(b.shared))), "known there");
        var stranger = RelayAdmission.binary(dev.switchboard.derp.NodePrivateKey.generate().publicKey());
        assertFalse(get(RelayAdmission.admits(stranger, b.coordinator, java.util.Optional.of(b.shared))));
        assertFalse(RelayAdmission.admits(key, b.coordinator, java.util.Optional.empty()).result(),
                "without the database only local peers count");
    }

    private static boolean get(io.vertx.core.Future<Boolean> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
}
