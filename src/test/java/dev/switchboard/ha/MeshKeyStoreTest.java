package dev.switchboard.ha;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replicas that start together on an empty database agree on one generated mesh key. */
@EnabledIf("dev.switchboard.ha.TestDatabase#available")
class MeshKeyStoreTest {
    private static TestDatabase database;

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

    @Test
    void concurrentFirstStartsAgreeOnOneKey() throws Exception {
        Vertx first = Vertx.vertx();
        Vertx second = Vertx.vertx();
        try {
            List<Future<String>> keys = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                // Two "replicas", each with its own pool, four first starts each, all at once.
                keys.add(new MeshKeyStore(database.pool(first)).loadOrCreate());
                keys.add(new MeshKeyStore(database.pool(second)).loadOrCreate());
            }
            Set<String> distinct = new HashSet<>();
            for (Future<String> key : keys) {
                distinct.add(key.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
            }
            assertEquals(1, distinct.size(), "every replica got the same key");
            String key = distinct.iterator().next();
            assertTrue(key.matches("[0-9a-f]{64}"), "32 random bytes as 64 hex digits");
            assertEquals(List.of(key), database.query("SELECT value FROM site_settings WHERE key = 'derp_mesh_key'"));
            assertEquals(key, new MeshKeyStore(database.pool(first)).loadOrCreate().toCompletionStage()
                    .toCompletableFuture().get(10, TimeUnit.SECONDS), "a restart reads the stored key");
        } finally {
            first.close();
            second.close();
        }
    }
}
