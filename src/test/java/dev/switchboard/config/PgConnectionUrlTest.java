package dev.switchboard.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CODER_PG_CONNECTION_URL in Coder's form becomes the two drivers' URLs; a bad one fails without its password. */
class PgConnectionUrlTest {
    @Test
    void coderUrlMapsToReactiveAndJdbcUrlsWithSeparateCredentials() {
        PgConnectionUrl url = PgConnectionUrl.parse("postgres://coder:s%40cret@db.internal:5433/coder?sslmode=disable");
        assertEquals("postgresql://db.internal:5433/coder?sslmode=disable", url.reactiveUrl());
        assertEquals("jdbc:postgresql://db.internal:5433/coder?sslmode=disable", url.jdbcUrl());
        assertEquals("coder", url.user());
        assertEquals("s@cret", url.password());
        assertFalse(url.toString().contains("s@cret"));
        assertEquals("postgresql://localhost:5432/x", PgConnectionUrl.parse("postgresql://localhost/x").reactiveUrl());
    }

    @Test
    void anotherDatabaseOnTheSameServerInCodersFormParsesBackEqual() {
        PgConnectionUrl url = PgConnectionUrl.parse("postgresql://co%20der:s%40c:ret@db:5433/coder?sslmode=disable&application_name=a%20b")
                .withDatabase("sb_bench_1");
        assertEquals("postgres://co%20der:s%40c%3Aret@db:5433/sb_bench_1?sslmode=disable&application_name=a%20b",
                url.coderUrl());
        assertEquals(url, PgConnectionUrl.parse(url.coderUrl()));
        assertEquals("postgres://db:5432/x", PgConnectionUrl.parse("postgres://db/y").withDatabase("x").coderUrl());
    }

    @Test
    void malformedUrlsFailNamingTheVariableWithThePasswordRedacted() {
        assertEquals("CODER_PG_CONNECTION_URL=postgres://coder:***@db/coder?sslmode=maybe is invalid: expected sslmode"
                        + " one of disable, allow, prefer, require, verify-ca, verify-full (" + PgConnectionUrl.EXPECTED + ")",
                message("postgres://coder:hunter2@db/coder?sslmode=maybe"));
        assertTrue(message("postgres://coder:hunter2@db/").contains("a URL naming the database"));
        assertTrue(message("mysql://coder:hunter2@db/coder").contains("a postgres:// or postgresql:// URL"));
        assertTrue(message("postgres://coder:hunter2@db/coder?search_path=x").contains("not search_path"));
        for (String bad : new String[]{"postgres://coder:hun@ter2@db/coder?x=1", "postgres://u:hunter2@/coder",
                "host=db password=hunter2"}) {
            assertFalse(message(bad).contains("hunter2"), message(bad));
        }
    }

    @Test
    void theRegistryValidatesWithTheSameRules() {
        ConfigOption option = ConfigOptions.named("CODER_PG_CONNECTION_URL");
        option.validate("postgres://u:p@h:5432/d?sslmode=require");
        String message = assertThrows(ConfigException.class, () -> option.validate("postgres://u:hunter2@h/")).getMessage();
        assertFalse(message.contains("hunter2"), message);
        assertTrue(message.startsWith("CODER_PG_CONNECTION_URL=postgres://u:***@h/ is invalid"), message);
    }

    @Test
    void withoutAUrlTheDatabaseIsOff() {
        Map<String, String> off = DatabaseConfigSourceFactory.properties(null);
        assertEquals("false", off.get("quarkus.datasource.active"));
        assertEquals("false", off.get("quarkus.hibernate-orm.active"));
        assertEquals(off, DatabaseConfigSourceFactory.properties(" "));
        Map<String, String> on = DatabaseConfigSourceFactory.properties("postgres://u:p@h/d?sslmode=require");
        assertEquals("true", on.get("quarkus.datasource.active"));
        assertEquals("postgresql://h:5432/d?sslmode=require", on.get("quarkus.datasource.reactive.url"));
        assertEquals("jdbc:postgresql://h:5432/d?sslmode=require", on.get("quarkus.datasource.jdbc.url"));
        assertEquals("u", on.get("quarkus.datasource.username"));
        assertEquals("p", on.get("quarkus.datasource.password"));
        assertEquals("true", on.get("quarkus.datasource.reactive.trust-all"));
        assertEquals("true", on.get("quarkus.flyway.migrate-at-start"));
    }

    @Test
    void theRelayUrlDefaultsToThePodIpElseLoopbackWithTheHttpPort() {
        assertEquals("http://10.1.2.3:3000",
                ReplicaSettings.defaultRelayUrl(java.util.Optional.of("10.1.2.3"), "127.0.0.1", 3000).toString());
        assertEquals("http://[fd00::5]:3000",
                ReplicaSettings.defaultRelayUrl(java.util.Optional.of("fd00::5"), "127.0.0.1", 3000).toString());
        assertEquals("http://127.0.0.1:8080",
                ReplicaSettings.defaultRelayUrl(java.util.Optional.empty(), "127.0.0.1", 8080).toString());
    }

    private static String message(String url) {
        return assertThrows(ConfigException.class, () -> PgConnectionUrl.parse(url)).getMessage();
    }
}
