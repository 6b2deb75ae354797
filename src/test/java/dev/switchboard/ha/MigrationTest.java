package dev.switchboard.ha;

import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The migrations on an empty database give the tables of the design, as they do on a database V1 left (with rows);
 * running them again changes nothing.
 */
@EnabledIf("dev.switchboard.ha.TestDatabase#available")
class MigrationTest {
    private static TestDatabase database;

    @BeforeAll
    static void migrateEmptyDatabase() {
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
    void tablesAndColumnsAreThoseOfTheDesign() throws Exception {
        assertEquals(List.of("coordinators", "flyway_schema_history", "peers", "replicas", "site_settings", "tunnels"),
                query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"));
        assertEquals(List.of("id uuid NO", "hostname text NO", "relay_url text NO", "region_id integer NO",
                        "version text NO", "started_at timestamp with time zone NO",
                        "updated_at timestamp with time zone NO", "error text NO"),
                columns("replicas"));
        assertEquals(List.of("key text NO", "value text NO"), columns("site_settings"));
        assertEquals(List.of("id uuid NO", "heartbeat_at timestamp with time zone NO", "status USER-DEFINED NO"),
                columns("coordinators"));
        assertEquals(List.of("id uuid NO", "coordinator_id uuid NO", "updated_at timestamp with time zone NO",
                "node bytea NO", "status USER-DEFINED NO", "node_key bytea YES"), columns("peers"));
        assertEquals(List.of("coordinator_id uuid NO", "src_id uuid NO", "dst_id uuid NO",
                "updated_at timestamp with time zone NO"), columns("tunnels"));
        assertEquals(List.of("ok", "lost"),
                query("SELECT unnest(enum_range(NULL::peer_status))::text"));
        assertEquals(List.of("ok", "stopped"),
                query("SELECT unnest(enum_range(NULL::coordinator_status))::text"));
        assertEquals(List.of("coordinators_heartbeat_at", "peers_lost_updated_at", "peers_node_key", "tunnels_updated_at"),
                query("SELECT indexname FROM pg_indexes WHERE indexname IN ('coordinators_heartbeat_at',"
                        + " 'peers_lost_updated_at', 'peers_node_key', 'tunnels_updated_at') ORDER BY 1"));
    }

    @Test
    void aDatabaseThatV1LeftIsMigratedWithItsRows() {
        try (TestDatabase old = TestDatabase.create()) {
            old.migrate(MigrationVersion.fromVersion("1"));
            old.sql("INSERT INTO coordinators (id, heartbeat_at) VALUES (gen_random_uuid(), now())");
            old.migrate();
            assertEquals(List.of("1 true", "2 true"),
                    old.query("SELECT version || ' ' || success FROM flyway_schema_history ORDER BY installed_rank"));
            assertEquals(List.of("ok"), old.query("SELECT status::text FROM coordinators"));
        }
    }

    @Test
    void keysAndCascadesAreThoseOfPgcoord() throws Exception {
        assertEquals(List.of("peers id,coordinator_id", "replicas id", "site_settings key",
                        "tunnels coordinator_id,src_id,dst_id", "coordinators id"),
                query("SELECT tc.table_name || ' ' || string_agg(k.column_name, ',' ORDER BY k.ordinal_position)"
                        + " FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage k"
                        + " USING (constraint_schema, constraint_name) WHERE tc.constraint_type = 'PRIMARY KEY'"
                        + " AND tc.table_schema = 'public' AND tc.table_name <> 'flyway_schema_history'"
                        + " GROUP BY tc.table_name ORDER BY tc.table_name = 'coordinators', tc.table_name"));
        assertEquals(List.of("peers CASCADE", "tunnels CASCADE"),
                query("SELECT tc.table_name || ' ' || rc.delete_rule FROM information_schema.referential_constraints rc"
                        + " JOIN information_schema.table_constraints tc USING (constraint_schema, constraint_name)"
                        + " ORDER BY 1"));
    }

    @Test
    void migratingAgainIsANoOp() throws Exception {
        database.migrate();
        assertEquals(List.of("1 true", "2 true"),
                query("SELECT version || ' ' || success FROM flyway_schema_history ORDER BY installed_rank"));
    }

    private static List<String> columns(String table) throws Exception {
        return query("SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns"
                + " WHERE table_name = '" + table + "' ORDER BY ordinal_position");
    }

    private static List<String> query(String sql) {
        return database.query(sql);
    }
}
