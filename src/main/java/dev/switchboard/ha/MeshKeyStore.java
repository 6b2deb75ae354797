package dev.switchboard.ha;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The DERP mesh key shared by all replicas, stored in {@code site_settings} under {@code derp_mesh_key}. As in Coder
 * (which keeps it in {@code site_configs} and reads or creates it holding its deployment-setup advisory lock), the
 * read-or-create runs in one transaction under an advisory lock, so replicas starting together agree. Unlike Coder's
 * 32-character string it is 32 random bytes as 64 hex digits, the form current DERP relays require of mesh keys.
 */
public final class MeshKeyStore {
    static final String KEY = "derp_mesh_key";
    /** {@code pg_advisory_xact_lock} key, released with the transaction. */
    private static final long LOCK = 0x5357_4244_0001L;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Pool pool;

    public MeshKeyStore(Pool pool) {
        this.pool = pool;
    }

    /** The stored key, or a new one stored now; never logged. */
    public Future<String> loadOrCreate() {
        return pool.withTransaction(connection -> connection.preparedQuery("SELECT pg_advisory_xact_lock($1)")
                .execute(Tuple.of(LOCK))
                .compose(locked -> connection.preparedQuery("SELECT value FROM site_settings WHERE key = $1")
                        .execute(Tuple.of(KEY)))
                .compose(rows -> {
                    if (rows.iterator().hasNext()) {
                        return Future.succeededFuture(rows.iterator().next().getString("value"));
                    }
                    byte[] key = new byte[32];
                    RANDOM.nextBytes(key);
                    String hex = HexFormat.of().formatHex(key);
                    return connection.preparedQuery("INSERT INTO site_settings (key, value) VALUES ($1, $2)")
                            .execute(Tuple.of(KEY, hex)).map(hex);
                }));
    }
}
