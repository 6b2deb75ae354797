package dev.switchboard.ha;

import dev.switchboard.config.PgConnectionUrl;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A fresh database {@code switchboard_test_<random>} per test class on the PostgreSQL of {@code TEST_PG_URL}, else
 * on a throwaway container when a Docker engine exists; tests are skipped only when neither is there.
 */
final class TestDatabase implements AutoCloseable {
    private static PostgreSQLContainer container;

    private final PgConnectionUrl server;
    private final PgConnectionUrl url;

    private TestDatabase(PgConnectionUrl server, String name) {
        this.server = server;
        this.url = server.withDatabase(name);
    }

    /** For {@code @EnabledIf}: a PostgreSQL to test against exists. */
    static boolean available() {
        String env = System.getenv("TEST_PG_URL");
        return (env != null && !env.isBlank()) || withTestcontainersLoader(() -> DockerClientFactory.instance()
                .isDockerAvailable());
    }

    /**
     * Testcontainers finds its strategies with the context class loader; under a {@code @QuarkusTest} that is
     * Quarkus' loader, where they are "not a subtype" of the interface Testcontainers itself was loaded with.
     */
    private static <T> T withTestcontainersLoader(java.util.function.Supplier<T> action) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(DockerClientFactory.class.getClassLoader());
        try {
            return action.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Creates the database, or skips the test (JUnit assumption) when no PostgreSQL is available. */
    static TestDatabase create() {
        Assumptions.assumeTrue(available(), "neither TEST_PG_URL nor a Docker engine");
        PgConnectionUrl server = server();
        TestDatabase database = new TestDatabase(server,
                "switchboard_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
        database.onServer("CREATE DATABASE " + database.url.database());
        return database;
    }

    private static synchronized PgConnectionUrl server() {
        String env = System.getenv("TEST_PG_URL");
        if (env != null && !env.isBlank()) {
            return PgConnectionUrl.parse(env);
        }
        if (container == null) {
            container = withTestcontainersLoader(() -> {
                PostgreSQLContainer started = new PostgreSQLContainer("postgres:15-alpine");
                started.start();
                return started;
            });
        }
        return new PgConnectionUrl(container.getHost(), container.getMappedPort(5432), container.getDatabaseName(),
                container.getUsername(), container.getPassword(), java.util.Map.of());
    }

    PgConnectionUrl url() {
        return url;
    }

    /** In Coder's form, for CODER_PG_CONNECTION_URL; without TLS unless TEST_PG_URL asks for it, as before. */
    String coderUrl() {
        return url.coderUrl() + (url.sslMode().isPresent() ? "" : url.parameters().isEmpty() ? "?sslmode=disable"
                : "&sslmode=disable");
    }

    PgConnectOptions connectOptions() {
        return HaLifecycle.listenOptions(url);
    }

    Pool pool(Vertx vertx) {
        return PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(connectOptions()).using(vertx)
                .build();
    }

    void migrate() {
        migrate(MigrationVersion.LATEST);
    }

    /** Applies the migrations up to {@code target} (a database as an older release left it). */
    void migrate(MigrationVersion target) {
        Flyway.configure().dataSource(url.jdbcUrl(), url.user(), url.password()).locations("classpath:db/migration")
                .target(target).load().migrate();
    }

    /** Runs statements on this database over JDBC (test set-up and fault injection). */
    void sql(String... statements) {
        run(url.jdbcUrl(), statements);
    }

    /** The first column of every row. */
    java.util.List<String> query(String sql) {
        try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
             Statement statement = connection.createStatement(); var rows = statement.executeQuery(sql)) {
            java.util.List<String> values = new java.util.ArrayList<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void onServer(String statement) {
        run(server.jdbcUrl(), statement);
    }

    private void run(String jdbcUrl, String... statements) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, url.user(), url.password());
             Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage().toLowerCase(Locale.ROOT), e);
        }
    }

    @Override
    public void close() {
        onServer("DROP DATABASE IF EXISTS " + url.database() + " WITH (FORCE)");
    }
}
