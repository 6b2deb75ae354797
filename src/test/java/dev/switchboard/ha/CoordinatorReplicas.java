package dev.switchboard.ha;

import dev.switchboard.coordinator.Authorization;
import dev.switchboard.coordinator.CoordinationException;
import dev.switchboard.coordinator.Coordinator;
import dev.switchboard.coordinator.Peer;
import dev.switchboard.coordinator.PeerStream;
import dev.switchboard.coordinator.Uuids;
import dev.switchboard.coordinator.proto.CoordinateRequest;
import dev.switchboard.coordinator.proto.CoordinateResponse;
import dev.switchboard.coordinator.proto.CoordinateResponse.PeerUpdate;
import dev.switchboard.coordinator.proto.Node;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Replicas of the coordinator in one JVM for the tests: each its own Vert.x, pool and LISTEN connection. */
final class CoordinatorReplicas implements AutoCloseable {
    private final TestDatabase database;
    private final List<Member> members = new ArrayList<>();

    CoordinatorReplicas(TestDatabase database) {
        this.database = database;
    }

    /** One replica as a separate process would run it. */
    static final class Member {
        final Vertx vertx = Vertx.vertx();
        final Pool pool;
        final Coordinator coordinator = new Coordinator(Clock.systemUTC());
        final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        final PgCoordinator shared;
        boolean killed;

        Member(TestDatabase database, CoordinatorTimings timings) {
            pool = database.pool(vertx);
            shared = new PgCoordinator(vertx, pool, database.connectOptions(), coordinator, timings, metrics);
        }

        Peer connect(UUID id, Authorization authorization, Recorder stream) throws CoordinationException {
            return coordinator.connect(id, id.toString(), authorization, stream);
        }

        /** A crash: timers, pool and LISTEN go away without a word to the database. */
        void kill() throws Exception {
            killed = true;
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    Member start(CoordinatorTimings timings) throws Exception {
        Member replica = new Member(database, timings);
        members.add(replica);
        done(replica.shared.start());
        return replica;
    }

    @Override
    public void close() throws Exception {
        for (Member replica : members) {
            if (!replica.killed) {
                replica.vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }

    static void done(Future<?> future) throws Exception {
        future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    /** Records what the coordinator sends to one peer; called from event loops and test threads. */
    static final class Recorder implements PeerStream {
        final List<CoordinateResponse> responses = new CopyOnWriteArrayList<>();
        volatile String closedWith;
        volatile boolean closed;

        @Override
        public boolean offer(CoordinateResponse response) {
            responses.add(response);
            return true;
        }

        @Override
        public void close(String error) {
            closedWith = error;
            closed = true;
        }

        List<PeerUpdate> about(UUID peer) {
            return responses.stream().flatMap(r -> r.getPeerUpdatesList().stream())
                    .filter(u -> peer.equals(Uuids.uuid(u.getId()))).toList();
        }

        /** The last update about {@code peer}, or null. */
        PeerUpdate last(UUID peer) {
            List<PeerUpdate> updates = about(peer);
            return updates.isEmpty() ? null : updates.getLast();
        }

        boolean got(UUID peer, PeerUpdate.Kind kind) {
            return about(peer).stream().anyMatch(u -> u.getKind() == kind);
        }

        /** Whether the last update about {@code peer} is a NODE with this node id. */
        boolean hasNode(UUID peer, long nodeId) {
            PeerUpdate last = last(peer);
            return last != null && last.getKind() == PeerUpdate.Kind.NODE && last.getNode().getId() == nodeId;
        }
    }

    static Node node(long id) {
        return Node.newBuilder().setId(id).setPreferredDerp(999).build();
    }

    static CoordinateRequest updateSelf(Node node) {
        return CoordinateRequest.newBuilder().setUpdateSelf(CoordinateRequest.UpdateSelf.newBuilder().setNode(node))
                .build();
    }

    static CoordinateRequest addTunnel(UUID dst) {
        return CoordinateRequest.newBuilder().setAddTunnel(CoordinateRequest.Tunnel.newBuilder()
                .setId(Uuids.bytes(dst))).build();
    }

    static CoordinateRequest readyForHandshake(UUID dst) {
        return CoordinateRequest.newBuilder().addReadyForHandshake(CoordinateRequest.ReadyForHandshake.newBuilder()
                .setId(Uuids.bytes(dst))).build();
    }

    static CoordinateRequest disconnect() {
        return CoordinateRequest.newBuilder().setDisconnect(CoordinateRequest.Disconnect.getDefaultInstance()).build();
    }
}
