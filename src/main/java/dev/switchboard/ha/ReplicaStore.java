package dev.switchboard.ha;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of the replica registry, on the Vert.x reactive client (never blocks a thread). Every time comparison uses
 * the database's {@code now()}, so replicas with skewed clocks still agree on who is alive.
 */
final class ReplicaStore {
    static final String CHANNEL = "replica";
    /** {@code pg_try_advisory_xact_lock} key: one replica at a time cleans up, the others skip. */
    private static final long CLEANUP_LOCK = 0x5357_4244_0002L;
    private static final String COLUMNS = "id, hostname, relay_url, region_id, version, started_at, updated_at, error";

    private final Pool pool;

    ReplicaStore(Pool pool) {
        this.pool = pool;
    }

    /** Insert on the first beat, refresh {@code updated_at} after; re-creates a row a cleanup removed meanwhile. */
    Future<Void> beat(Replica.Self self, String error) {
        return pool.preparedQuery("INSERT INTO replicas (" + COLUMNS + ") VALUES ($1, $2, $3, $4, $5, now(), now(), $6)"
                        + " ON CONFLICT (id) DO UPDATE SET hostname = EXCLUDED.hostname, relay_url = EXCLUDED.relay_url,"
                        + " region_id = EXCLUDED.region_id, version = EXCLUDED.version, updated_at = now(),"
                        + " error = EXCLUDED.error")
                .execute(Tuple.of(self.id(), self.hostname(), self.relayUrl().toString(), self.regionId(),
                        self.version(), error))
                .mapEmpty();
    }

    /** Every other replica updated within the window, oldest first. */
    Future<List<Replica>> alive(UUID self, double windowSeconds) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM replicas WHERE id <> $1"
                        + " AND updated_at > now() - make_interval(secs => $2) ORDER BY started_at, id")
                .execute(Tuple.of(self, windowSeconds))
                .map(rows -> {
                    List<Replica> replicas = new ArrayList<>();
                    for (Row row : rows) {
                        replicas.add(new Replica(row.getUUID("id"), row.getString("hostname"),
                                row.getString("relay_url"), row.getInteger("region_id"), row.getString("version"),
                                row.getOffsetDateTime("started_at"), row.getOffsetDateTime("updated_at"),
                                row.getString("error")));
                    }
                    return List.copyOf(replicas);
                });
    }

    Future<Void> delete(UUID self) {
        return pool.preparedQuery("DELETE FROM replicas WHERE id = $1").execute(Tuple.of(self)).mapEmpty();
    }

    /** The hint others re-read on; the periodic read stays the truth (a NOTIFY can be missed). */
    Future<Void> publish(UUID self) {
        return pool.preparedQuery("SELECT pg_notify('" + CHANNEL + "', $1)").execute(Tuple.of(self.toString()))
                .mapEmpty();
    }

    /**
     * Deletes up to {@code limit} rows not updated for {@code olderThanSeconds}. Only the replica that gets the
     * advisory lock works and the batch is bounded, so many replicas cleaning at once do not pile up deletes on the
     * same rows; returns how many went (0 when another replica holds the lock).
     */
    Future<Integer> cleanUp(double olderThanSeconds, int limit) {
        return pool.withTransaction(connection -> connection.preparedQuery("SELECT pg_try_advisory_xact_lock($1) AS got")
                .execute(Tuple.of(CLEANUP_LOCK))
                .compose(locked -> !locked.iterator().next().getBoolean("got") ? Future.succeededFuture(0)
                        : connection.preparedQuery("DELETE FROM replicas WHERE id IN (SELECT id FROM replicas"
                                        + " WHERE updated_at < now() - make_interval(secs => $1)"
                                        + " ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)")
                                .execute(Tuple.of(olderThanSeconds, limit)).map(rows -> rows.rowCount())));
    }
}
