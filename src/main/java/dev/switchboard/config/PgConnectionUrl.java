package dev.switchboard.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * CODER_PG_CONNECTION_URL in Coder's form, {@code postgres://user:pass@host:port/db?sslmode=disable}, split into what
 * the two drivers need: the reactive URL (the service's queries), the JDBC URL (Flyway's start-up migration only) and
 * the credentials, which travel as separate properties so neither URL carries the password.
 */
public record PgConnectionUrl(String host, int port, String database, String user, String password,
                              Map<String, String> parameters) {
    static final String VARIABLE = "CODER_PG_CONNECTION_URL";
    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca",
            "verify-full");
    /** Parameters both drivers understand under the same name; anything else is refused rather than ignored. */
    private static final Set<String> PARAMETERS = Set.of("sslmode", "application_name");
    /** Greedy up to the last {@code @} of the authority, so a password with an unencoded {@code @} is still hidden. */
    private static final Pattern PASSWORD = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://[^:/@?#]*:)[^/?#]*@");
    static final String EXPECTED = "postgres://user:password@host:5432/database?sslmode=disable";

    /** Parses the URL, failing with a message that names the variable and never shows the password. */
    public static PgConnectionUrl parse(String text) {
        String problem = problem(text);
        if (problem != null) {
            throw new ConfigException(VARIABLE, redact(text), problem);
        }
        return parseValid(text.strip());
    }

    /** The validation used by the option registry: null when usable, else what was expected. */
    static String problem(String text) {
        try {
            parseValid(text.strip());
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage() + " (" + EXPECTED + ")";
        }
    }

    private static PgConnectionUrl parseValid(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (Exception e) {
            throw new IllegalArgumentException("a URL");
        }
        if (!"postgres".equals(uri.getScheme()) && !"postgresql".equals(uri.getScheme())) {
            throw new IllegalArgumentException("a postgres:// or postgresql:// URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("a URL with a host");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = decode(path.startsWith("/") ? path.substring(1) : path);
        if (database.isEmpty() || database.contains("/")) {
            throw new IllegalArgumentException("a URL naming the database");
        }
        String user = "";
        String password = "";
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : "";
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
            for (String pair : uri.getRawQuery().split("&")) {
                String[] kv = pair.split("=", 2);
                String key = decode(kv[0]);
                String value = kv.length > 1 ? decode(kv[1]) : "";
                if (!PARAMETERS.contains(key)) {
                    throw new IllegalArgumentException("only the parameters " + String.join(", ",
                            PARAMETERS.stream().sorted().toList()) + ", not " + key);
                }
                parameters.put(key, value);
            }
        }
        String sslMode = parameters.get("sslmode");
        if (sslMode != null && !SSL_MODES.contains(sslMode.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("sslmode one of disable, allow, prefer, require, verify-ca, verify-full");
        }
        int port = uri.getPort() == -1 ? 5432 : uri.getPort();
        return new PgConnectionUrl(uri.getHost(), port, database, user, password, Map.copyOf(parameters));
    }

    /** For the Vert.x reactive client ({@code quarkus.datasource.reactive.url}); credentials are separate. */
    public String reactiveUrl() {
        return "postgresql://" + host + ":" + port + "/" + encode(database) + query(false);
    }

    /** For pgjdbc ({@code quarkus.datasource.jdbc.url}), which Flyway uses once at start-up. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + encode(database) + query(true);
    }

    /** The same server and credentials, database {@code name} (a tool that creates a database of its own). */
    public PgConnectionUrl withDatabase(String name) {
        return new PgConnectionUrl(host, port, name, user, password, parameters);
    }

    /** Coder's form again, for the CODER_PG_CONNECTION_URL of a process started from this one; it parses back equal. */
    public String coderUrl() {
        String credentials = user.isEmpty() ? "" : encode(user) + (password.isEmpty() ? "" : ":" + encode(password)) + "@";
        return "postgres://" + credentials + host + ":" + port + "/" + encode(database) + query(false);
    }

    public Optional<String> sslMode() {
        return Optional.ofNullable(parameters.get("sslmode")).map(s -> s.toLowerCase(Locale.ROOT));
    }

    private String query(boolean jdbc) {
        StringBuilder query = new StringBuilder();
        sslMode().ifPresent(mode -> append(query, "sslmode", mode));
        Optional.ofNullable(parameters.get("application_name")).ifPresent(v -> append(query, jdbc ? "ApplicationName"
                : "application_name", v));
        return query.toString();
    }

    private static void append(StringBuilder query, String key, String value) {
        query.append(query.isEmpty() ? '?' : '&').append(key).append('=').append(encode(value));
    }

    /**
     * The URL with its password replaced by {@code ***}, for error messages; text whose credentials cannot be located
     * is hidden entirely.
     */
    public static String redact(String text) {
        String stripped = text.strip();
        var matcher = PASSWORD.matcher(stripped);
        if (matcher.find()) {
            return matcher.replaceFirst("$1***@");
        }
        // A URL without user info has nothing to hide; anything else (key=value DSN, odd URLs) is hidden whole.
        boolean noCredentials = stripped.contains("://") && !stripped.contains("@");
        return noCredentials ? stripped : "<redacted, " + stripped.length() + " characters>";
    }

    @Override
    public String toString() {
        return "PgConnectionUrl[" + (user.isEmpty() ? "" : user + ":***@") + host + ":" + port + "/" + database + "]";
    }

    private static String decode(String value) {
        return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
