package dev.switchboard.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Derives the datasource from CODER_PG_CONNECTION_URL. Unset (or a client command such as {@code bench}, which must
 * not migrate or register as a replica): the datasource is inactive, and with it Flyway; Hibernate Reactive has its
 * own switch ({@code quarkus.hibernate-orm.active}), which must be turned off too. Set: the reactive and JDBC URLs and
 * the credentials, and Flyway migrates at start-up. Explicit {@code QUARKUS_DATASOURCE_*} settings still win
 * (ordinal below the environment's 300).
 */
public class DatabaseConfigSourceFactory implements ConfigSourceFactory {
    private static final int ORDINAL = 275;
    /** libpq's "require" and below encrypt without checking the certificate; Vert.x only does that with trust-all. */
    private static final Set<String> UNVERIFIED_TLS = Set.of("allow", "prefer", "require");

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        String url = raw(context, "coder.pg.connection-url");
        return List.of(new PropertiesConfigSource(properties(url), "coder-database", ORDINAL));
    }

    /** The Quarkus properties for a connection URL (null when unset). Only the server boots Quarkus. */
    static Map<String, String> properties(String url) {
        Map<String, String> properties = new HashMap<>();
        if (url == null || url.isBlank()) {
            properties.put("quarkus.datasource.active", "false");
            properties.put("quarkus.hibernate-orm.active", "false");
            return properties;
        }
        PgConnectionUrl pg = PgConnectionUrl.parse(url);
        properties.put("quarkus.datasource.active", "true");
        properties.put("quarkus.datasource.reactive.url", pg.reactiveUrl());
        properties.put("quarkus.datasource.jdbc.url", pg.jdbcUrl());
        if (!pg.user().isEmpty()) {
            properties.put("quarkus.datasource.username", pg.user());
        }
        if (!pg.password().isEmpty()) {
            properties.put("quarkus.datasource.password", pg.password());
        }
        pg.sslMode().ifPresent(mode -> {
            if (UNVERIFIED_TLS.contains(mode)) {
                properties.put("quarkus.datasource.reactive.trust-all", "true");
            } else if (mode.equals("verify-full")) {
                properties.put("quarkus.datasource.reactive.hostname-verification-algorithm", "HTTPS");
            }
        });
        // Flyway takes a PostgreSQL advisory lock for the migration itself, so replicas starting together are safe.
        properties.put("quarkus.flyway.migrate-at-start", "true");
        return properties;
    }

    private static String raw(ConfigSourceContext context, String property) {
        ConfigValue value = context.getValue(property);
        return value == null ? null : value.getValue();
    }
}
