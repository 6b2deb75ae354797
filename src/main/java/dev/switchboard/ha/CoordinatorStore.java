package dev.switchboard.ha;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The SQL of the cross-replica coordinator, after Coder's {@code coderd/database/queries/tailnet.sql}, on the Vert.x
 * reactive client. Every time comparison uses the database's {@code now()}. Each query is timed in
 * {@code switchboard_coordinator_database_seconds{query}}.
 */
final class CoordinatorStore {
    /** Payload {@code <coordinator id>,<peer id>}: a hint to re-read that peer (the database stays the truth). */
    static final String PEER_CHANNEL = "coordinator_peer";
    /** Payload {@code <dst>,<src>} ("to,from", as Coder's {@code tailnet_ready_for_handshake}). */
    static final String HANDSHAKE_CHANNEL = "coordinator_handshake";
    /** {@code pg_try_advisory_xact_lock} key: one replica at a time cleans up (the registry's is ...0002). */
    private static final long CLEANUP_LOCK = 0x5357_4244_0003L;

    private final Pool pool;
    private final UUID self;
    private final MeterRegistry metrics;

    CoordinatorStore(Pool pool, UUID self, MeterRegistry metrics) {
        this.pool = pool;
        this.self = self;
        this.metrics = metrics;
    }

    UUID self() {
        return self;
    }

    /** UpsertTailnetCoordinator: {@code heartbeat_at = now()}. */
    Future<Void> beat() {
        return timed("beat", () -> pool.preparedQuery("INSERT INTO coordinators (id, heartbeat_at, status)"
                        + " VALUES ($1, now(), 'ok') ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), status = 'ok'")
                .execute(Tuple.of(self)).mapEmpty());
    }

    /** The coordinators alive now: {@code ok} and beaten within {@code expiry}. */
    Future<Set<UUID>> alive(Duration expiry) {
        return timed("alive", () -> pool.preparedQuery("SELECT id FROM coordinators WHERE status = 'ok'"
                        + " AND heartbeat_at > now() - make_interval(secs => $1)")
                .execute(Tuple.of(seconds(expiry))).map(rows -> {
                    Set<UUID> ids = new LinkedHashSet<>();
                    rows.forEach(row -> ids.add(row.getUUID("id")));
                    return ids;
                }));
    }

    /**
     * A local peer's whole state in one transaction: its row (when it has a node; a lost peer without one only has
     * an older row marked lost), exactly {@code tunnels} as the tunnels it opened, then a hint for it and for every
     * destination whose tunnel came or went.
     */
    Future<Void> write(UUID id, byte[] node, byte[] nodeKey, boolean lost, Set<UUID> tunnels) {
        UUID[] dsts = tunnels.toArray(UUID[]::new);
        return timed("write_peer", () -> pool.withTransaction(c -> writeRow(c, id, node, nodeKey, lost)
                .compose(v -> c.preparedQuery("DELETE FROM tunnels WHERE coordinator_id = $1 AND src_id = $2"
                                + " AND NOT (dst_id = ANY($3)) RETURNING dst_id")
                        .execute(Tuple.of(self, id).addArrayOfUUID(dsts)))
                .compose(removed -> c.preparedQuery("INSERT INTO tunnels (coordinator_id, src_id, dst_id, updated_at)"
                                + " SELECT $1::uuid, $2::uuid, d, now() FROM unnest($3::uuid[]) AS d ON CONFLICT DO NOTHING")
                        .execute(Tuple.of(self, id).addArrayOfUUID(dsts))
                        .compose(v -> hint(c, id, tunnels, removed)))));
    }

    private Future<Void> writeRow(SqlConnection c, UUID id, byte[] node, byte[] nodeKey, boolean lost) {
        if (node != null) {
            return c.preparedQuery("INSERT INTO peers (id, coordinator_id, updated_at, node, status, node_key)"
                            + " VALUES ($1, $2, now(), $3, $4::peer_status, $5) ON CONFLICT (id, coordinator_id)"
                            + " DO UPDATE SET updated_at = now(), node = EXCLUDED.node, status = EXCLUDED.status,"
                            + " node_key = EXCLUDED.node_key")
                    .execute(Tuple.of(id, self, Buffer.buffer(node), lost ? "lost" : "ok", Buffer.buffer(nodeKey)))
                    .mapEmpty();
        }
        if (lost) {
            return c.preparedQuery("UPDATE peers SET status = 'lost', updated_at = now()"
                    + " WHERE id = $1 AND coordinator_id = $2").execute(Tuple.of(id, self)).mapEmpty();
        }
        return Future.succeededFuture();
    }

    /** DeleteTailnetPeer and DeleteAllTailnetTunnels(src = peer): a graceful disconnect. */
    Future<Void> delete(UUID id) {
        return timed("delete_peer", () -> pool.withTransaction(c -> c.preparedQuery(
                        "DELETE FROM tunnels WHERE coordinator_id = $1 AND src_id = $2 RETURNING dst_id")
                .execute(Tuple.of(self, id))
                .compose(removed -> c.preparedQuery("DELETE FROM peers WHERE id = $1 AND coordinator_id = $2")
                        .execute(Tuple.of(id, self)).compose(v -> hint(c, id, Set.of(), removed)))));
    }

    private Future<Void> hint(SqlConnection c, UUID id, Set<UUID> tunnels, RowSet<Row> removed) {
        Set<UUID> hinted = new LinkedHashSet<>(tunnels);
        hinted.add(id);
        removed.forEach(row -> hinted.add(row.getUUID("dst_id")));
        return c.preparedQuery("SELECT pg_notify('" + PEER_CHANNEL + "', $1::text || ',' || x::text)"
                        + " FROM unnest($2::uuid[]) AS x")
                .execute(Tuple.of(self.toString()).addArrayOfUUID(hinted.toArray(UUID[]::new))).mapEmpty();
    }

    /**
     * UpdateTailnetPeerStatusByCoordinator(lost) with a hint per peer; {@code stopped} also marks the coordinator
     * itself, so the others need not wait for its heartbeat to expire. Nothing is deleted (Coder PR #14165).
     */
    Future<Void> markAllLost(boolean stopped) {
        return timed("mark_lost", () -> pool.withTransaction(c -> c.preparedQuery("WITH lost AS (UPDATE peers"
                                + " SET status = 'lost', updated_at = now() WHERE coordinator_id = $1 AND status = 'ok'"
                                + " RETURNING id) SELECT pg_notify('" + PEER_CHANNEL + "', $2::text || ',' || id::text) FROM lost")
                        .execute(Tuple.of(self, self.toString()))
                        .compose(v -> !stopped ? Future.succeededFuture()
                                : c.preparedQuery("UPDATE coordinators SET status = 'stopped' WHERE id = $1")
                                .execute(Tuple.of(self)).mapEmpty())));
    }

    /** Whether a peer row of any coordinator, within the retention, carries this node key. */
    Future<Boolean> announced(byte[] nodeKey) {
        return timed("announced", () -> pool.preparedQuery("SELECT EXISTS (SELECT 1 FROM peers WHERE node_key = $1)"
                + " AS known").execute(Tuple.of(Buffer.buffer(nodeKey))).map(rows -> rows.iterator().next()
                .getBoolean("known")));
    }

    Future<Void> readyForHandshake(UUID src, UUID dst) {
        return timed("ready_for_handshake", () -> pool.preparedQuery("SELECT pg_notify('" + HANDSHAKE_CHANNEL + "', $1)")
                .execute(Tuple.of(dst + "," + src)).mapEmpty());
    }

    /** One row of {@link #bindings}: a tunnel peer {@code other} of local peer {@code lookup} and one of its rows. */
    record Binding(UUID lookup, UUID other, boolean inbound, byte[] node, boolean ok, boolean alive,
                   java.time.OffsetDateTime updatedAt) {
    }

    /**
     * GetTailnetTunnelPeerBindings for a batch of local peers: the remote sources of tunnels towards them, plus the
     * given {@code outbound} pairs (their own tunnels, known locally), each joined with every row of that peer on
     * another coordinator and whether that coordinator is alive. Rows of this coordinator are left out: its peers
     * are the local coordinator's business. A pair without a row comes back with {@code node} null.
     */
    Future<List<Binding>> bindings(Collection<UUID> lookups, List<UUID[]> outbound, Duration expiry) {
        UUID[] srcs = outbound.stream().map(pair -> pair[0]).toArray(UUID[]::new);
        UUID[] dsts = outbound.stream().map(pair -> pair[1]).toArray(UUID[]::new);
        return timed("bindings", () -> pool.preparedQuery("WITH wanted AS ("
                        + " SELECT dst_id AS lookup, src_id AS other, true AS inbound FROM tunnels"
                        + " WHERE dst_id = ANY($1) AND coordinator_id <> $2"
                        + " UNION ALL SELECT w.lookup, w.other, false FROM unnest($3::uuid[], $4::uuid[]) AS w(lookup, other))"
                        + " SELECT w.lookup, w.other, w.inbound, p.node, p.status = 'ok' AS ok, p.updated_at,"
                        + " c.status = 'ok' AND c.heartbeat_at > now() - make_interval(secs => $5) AS alive"
                        + " FROM wanted w LEFT JOIN peers p ON p.id = w.other AND p.coordinator_id <> $2"
                        + " LEFT JOIN coordinators c ON c.id = p.coordinator_id")
                .execute(Tuple.tuple().addArrayOfUUID(lookups.toArray(UUID[]::new)).addUUID(self)
                        .addArrayOfUUID(srcs).addArrayOfUUID(dsts).addDouble(seconds(expiry)))
                .map(rows -> {
                    List<Binding> out = new ArrayList<>();
                    for (Row row : rows) {
                        Buffer node = row.getBuffer("node");
                        out.add(new Binding(row.getUUID("lookup"), row.getUUID("other"), row.getBoolean("inbound"),
                                node == null ? null : node.getBytes(), Boolean.TRUE.equals(row.getBoolean("ok")),
                                Boolean.TRUE.equals(row.getBoolean("alive")), row.getOffsetDateTime("updated_at")));
                    }
                    return out;
                }));
    }

    /**
     * One bounded cleanup pass (CleanTailnetCoordinators, CleanTailnetLostPeers, CleanTailnetTunnels with
     * {@code retention}), by whichever replica gets the advisory lock: at most {@code limit} rows per table, the rows
     * of a dead coordinator before the coordinator (so its cascade deletes nothing), never a storm (coder/coder
     * #12923). Returns the rows deleted (0 when another replica holds the lock).
     */
    Future<Integer> cleanUp(Duration retention, int limit) {
        double age = seconds(retention);
        return timed("cleanup", () -> pool.withTransaction(c -> c.preparedQuery(
                        "SELECT pg_try_advisory_xact_lock($1) AS got").execute(Tuple.of(CLEANUP_LOCK))
                .compose(locked -> !locked.iterator().next().getBoolean("got") ? Future.succeededFuture(0)
                        : deleted(c, "DELETE FROM peers WHERE (id, coordinator_id) IN (SELECT p.id, p.coordinator_id"
                                + " FROM peers p JOIN coordinators c ON c.id = p.coordinator_id"
                                + " WHERE (p.status = 'lost' AND p.updated_at < now() - make_interval(secs => $1))"
                                + " OR c.heartbeat_at < now() - make_interval(secs => $1) LIMIT $2)", age, limit)
                        .compose(peers -> deleted(c, "DELETE FROM tunnels WHERE (coordinator_id, src_id, dst_id) IN"
                                + " (SELECT t.coordinator_id, t.src_id, t.dst_id FROM tunnels t"
                                + " WHERE t.updated_at < now() - make_interval(secs => $1) AND NOT EXISTS (SELECT 1"
                                + " FROM peers p WHERE p.id = t.src_id AND p.coordinator_id = t.coordinator_id)"
                                + " LIMIT $2)", age, limit).map(tunnels -> peers + tunnels))
                        .compose(rows -> deleted(c, "DELETE FROM coordinators WHERE id IN (SELECT c.id"
                                + " FROM coordinators c WHERE c.heartbeat_at < now() - make_interval(secs => $1)"
                                + " AND NOT EXISTS (SELECT 1 FROM peers p WHERE p.coordinator_id = c.id)"
                                + " AND NOT EXISTS (SELECT 1 FROM tunnels t WHERE t.coordinator_id = c.id) LIMIT $2)",
                                age, limit).map(coordinators -> rows + coordinators)))));
    }

    private static Future<Integer> deleted(SqlConnection c, String sql, double age, int limit) {
        return c.preparedQuery(sql).execute(Tuple.of(age, limit)).map(RowSet::rowCount);
    }

    private <T> Future<T> timed(String query, Supplier<Future<T>> run) {
        long start = System.nanoTime();
        return run.get().onComplete(r -> Timer.builder("switchboard.coordinator.database")
                .description("Latency of the coordinator's database queries").tag("query", query)
                .tag("outcome", r.succeeded() ? "ok" : "error").register(metrics)
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}
