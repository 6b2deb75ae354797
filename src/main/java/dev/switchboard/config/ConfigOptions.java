package dev.switchboard.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Every {@code CODER_*} setting Switchboard reads: the single list behind start-up validation, {@code server --help}
 * and the README configuration table (a test keeps them equal).
 */
public final class ConfigOptions {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");

    public static final List<ConfigOption> ALL = List.of(
            option("CODER_HTTP_ADDRESS", "coder.http-address", ConfigDefaults.HTTP_ADDRESS,
                    "HTTP listener `host:port` (`:3000` or `0.0.0.0:3000` for all interfaces, `[::]:3000` for IPv6). `/derp` is served here.",
                    ConfigOptions::hostPort),
            option("CODER_HTTP_READ_HEADER_TIMEOUT", "coder.http-read-header-timeout", "10s",
                    "A connection must deliver a complete request head this soon after it is accepted (or after its last response, plus the 90 s idle timeout); slower ones are closed and counted in `switchboard_http_head_timeouts_total`. Stops slowloris clients.",
                    ConfigOptions::duration),
            option("CODER_HTTP_ACCEPT_RATE_PER_IP", "coder.http-accept-rate-per-ip", "0",
                    "TCP connections per second one source (an IPv4 address, an IPv6 /64) may open to the HTTP and HTTPS listeners; over it a connection is closed on accept, before a byte is read, and counted in `switchboard_http_accept_refused_total`. `0`: no limit.",
                    ConfigOptions::nonNegativeInteger),
            option("CODER_HTTP_ACCEPT_BURST_PER_IP", "coder.http-accept-burst-per-ip", "0",
                    "Connections one source may open at once above `CODER_HTTP_ACCEPT_RATE_PER_IP`; `0`: one second's worth.",
                    ConfigOptions::nonNegativeInteger),
            option("CODER_ACCESS_URL", "coder.access-url", "`http://<HTTP listener>`",
                    "External URL of the deployment; its host and port become the embedded DERP node (`ForceHTTP` for `http`).",
                    ConfigOptions::httpUrl),
            option("CODER_TLS_ENABLE", "coder.tls.enable", "false",
                    "Serve HTTPS too (DERP, WebSocket, probes, API). HTTP stays on for `/generate_204`.", ConfigOptions::bool),
            option("CODER_TLS_ADDRESS", "coder.tls.address", ConfigDefaults.TLS_ADDRESS,
                    "HTTPS listener; must share its host with `CODER_HTTP_ADDRESS` (one bind address for both).",
                    ConfigOptions::hostPort),
            option("CODER_TLS_CERT_FILE", "coder.tls.cert-file", null,
                    "PEM certificate chain file(s), comma list. Unset with TLS on: a self-signed development certificate for the access-URL host is created in `<CODER_CONFIG_DIR>/tls/` and the DERP node JSON with its `sha256-raw:` pin is logged.",
                    ConfigOptions::any),
            option("CODER_TLS_KEY_FILE", "coder.tls.key-file", null, "PEM private key file(s) matching `CODER_TLS_CERT_FILE`.",
                    ConfigOptions::any),
            option("CODER_TLS_MIN_VERSION", "coder.tls.min-version", "tls12",
                    "`tls10`, `tls11`, `tls12` or `tls13`. DERP fast start needs TLS 1.3.",
                    v -> oneOf(v, "tls10", "tls11", "tls12", "tls13")),
            option("CODER_REDIRECT_TO_ACCESS_URL", "coder.redirect-to-access-url", "false",
                    "Redirect (307) requests for other hosts to the access URL; `/derp*` and `/generate_204` are exempt.",
                    ConfigOptions::bool),
            option("CODER_CONFIG_DIR", "coder.config-dir", "~/.config/switchboard",
                    "Data directory for generated keys and certificates.", ConfigOptions::any),
            option("CODER_STUN_LISTEN_ADDRESSES", "coder.stun-listen-addresses", ":3478",
                    "UDP `host:port` list for the STUN responder; `:3478` is IPv4 and IPv6 on port 3478 (one dual-stack socket); `disable` turns it off.",
                    ConfigOptions::hostPortListOrDisable),
            option("CODER_STUN_RECEIVE_BUFFER", "coder.stun-receive-buffer", ConfigDefaults.STUN_RECEIVE_BUFFER,
                    "Receive buffer (`SO_RCVBUF`, bytes) of each STUN socket: requests that arrive while it is full are dropped by the kernel (`nstat UdpRcvbufErrors`). Linux caps it at `net.core.rmem_max` (often 212992; a warning at start-up names the size granted); `0` keeps the kernel default.",
                    ConfigOptions::socketBufferSize),
            option("CODER_DERP_SERVER_ENABLE", "coder.derp.server.enable", "true",
                    "Serve the embedded DERP relay at `/derp`; `false` makes `/derp` answer 404 and drops the embedded and STUN regions from the map.",
                    ConfigOptions::bool),
            option("CODER_DERP_SERVER_REGION_ID", "coder.derp.server.region-id", "999",
                    "Embedded region ID; STUN-only regions are numbered from ID + 1.", ConfigOptions::positiveInteger),
            option("CODER_DERP_SERVER_REGION_CODE", "coder.derp.server.region-code", "coder", "Embedded region code.",
                    ConfigOptions::nonBlank),
            option("CODER_DERP_SERVER_REGION_NAME", "coder.derp.server.region-name", "Coder Embedded Relay",
                    "Embedded region display name.", ConfigOptions::nonBlank),
            option("CODER_DERP_SERVER_STUN_ADDRESSES", "coder.derp.server.stun-addresses",
                    ConfigDefaults.STUN_ADDRESSES,
                    "`host:port` list, one STUN-only region each; `disable` for none (the embedded node then advertises no STUN either).",
                    ConfigOptions::hostPortListOrDisable),
            option("CODER_DERP_SERVER_PRIVATE_KEY_PATH", "coder.derp.server.private-key-path", "`<CODER_CONFIG_DIR>/derp.key`",
                    "The relay's node key (`privkey:<64 hex>`), created with mode 0600 on first start so restarts keep the public key.",
                    ConfigOptions::any),
            new ConfigOption("CODER_DERP_SERVER_MESH_KEY", "coder.derp.server.mesh-key", null,
                    "64 hex digits; a client presenting it gets mesh privileges (WatchConns, ForwardPacket, ClosePeer). Compared in constant time.",
                    v -> HEX64.matcher(v.strip()).matches() ? null : "exactly 64 hex digits", true),
            option("CODER_DERP_SERVER_MESH_KEY_FILE", "coder.derp.server.mesh-key-file", null,
                    "File holding the mesh key (alternative to the variable; setting both is an error).", ConfigOptions::any),
            option("CODER_DERP_SERVER_MAX_CONNECTIONS_PER_IP", "coder.derp.server.max-connections-per-ip", "0",
                    "Concurrent DERP connections one source IP may hold; more get `429` before the upgrade and are counted in `switchboard_derp_refused_per_ip_total`. `0`: no limit (clients behind one NAT share an IP).",
                    ConfigOptions::nonNegativeInteger),
            option("CODER_DERP_SERVER_RECEIVE_RATE", "coder.derp.server.receive-rate", "0",
                    "Bytes per second the relay reads from one client (mesh peers exempt); over it the client is not read until it is back within budget, so TCP slows it down and nothing is dropped. `0`: unlimited.",
                    ConfigOptions::nonNegativeInteger),
            option("CODER_DERP_SERVER_RECEIVE_BURST", "coder.derp.server.receive-burst", "0",
                    "Bytes a client may send at once above `CODER_DERP_SERVER_RECEIVE_RATE`; `0`: one second's worth.",
                    ConfigOptions::nonNegativeInteger),
            option("CODER_DERP_SERVER_VERIFY_CLIENTS", "coder.derp.server.verify-clients", "false",
                    "`true`: only node keys a coordinated peer announced (on any replica with `CODER_PG_CONNECTION_URL`) and mesh peers may use the relay; others are closed at the DERP handshake, before ServerInfo, as derper's `--verify-clients` does (counted as rejected connections, reason `client_not_verified`).",
                    ConfigOptions::bool),
            option("CODER_DERP_SERVER_WARMUP", "coder.derp.server.warmup", "15s",
                    "Before readiness turns UP the relay carries loopback traffic of its own (DERP pairs over TCP and WebSocket, clients connecting and leaving, STUN requests) until the JIT has compiled its hot paths (under 100 ms of compiling in the last second: 5–10 s on 2 cores with the AOT cache `./mvnw package` records), at most this long; the `relay-warmup` readiness check reports how it ended. `/healthz` and the listeners are up meanwhile. `0s`: ready without it, and the first seconds of traffic meet an uncompiled relay.",
                    ConfigOptions::duration),
            option("CODER_DERP_SERVER_RELAY_URL", "coder.derp.server.relay-url", "`http://<POD_IP or loopback>:<HTTP port>`",
                    "This replica's private URL, registered for the sibling replicas (never the access URL, which lands on a random replica). Used only with `CODER_PG_CONNECTION_URL`.",
                    ConfigOptions::httpUrl),
            option("CODER_DERP_CONFIG_PATH", "coder.derp.config.path", null,
                    "DERP map JSON file merged into the served map; checked every second, a changed valid map is pushed to clients, an invalid one is logged and ignored.",
                    ConfigOptions::any),
            option("CODER_DERP_CONFIG_URL", "coder.derp.config.url", null,
                    "DERP map JSON fetched with GET and merged (not together with `CODER_DERP_CONFIG_PATH`).",
                    ConfigOptions::httpUrl),
            option("CODER_DERP_CONFIG_REFRESH", "coder.derp.config.refresh", "5m",
                    "How often `CODER_DERP_CONFIG_URL` is re-fetched.", ConfigOptions::duration),
            option("CODER_DERP_FORCE_WEBSOCKETS", "coder.derp.force-websockets", "false",
                    "Tell clients (`derp_force_websockets`) to use DERP over WebSocket.", ConfigOptions::bool),
            option("CODER_BLOCK_DIRECT", "coder.block-direct", "false",
                    "Relay-only: every node `STUNPort: -1`, STUN-only nodes removed, `disable_direct_connections: true`.",
                    ConfigOptions::bool),
            option("CODER_WORKSPACE_HOSTNAME_SUFFIX", "coder.workspace-hostname-suffix", "coder",
                    "DNS suffix sent to clients (`hostname_suffix`).", ConfigOptions::nonBlank),
            option("CODER_BROWSER_ONLY", "coder.browser-only", "false",
                    "Refuse non-browser clients: both client coordinate endpoints answer 409 before any upgrade. Agents and the server's in-process peer are unaffected.",
                    ConfigOptions::bool),
            option("CODER_AUTH_PUBLIC_KEY_FILE", "coder.auth.public-key-file", null,
                    "PEM public key (EC P-256, RSA or Ed25519) that verifies session tokens.", ConfigOptions::any),
            option("CODER_AUTH_JWKS_URL", "coder.auth.jwks-url", null,
                    "JWKS URL with the token verification keys (instead of the file). Neither set: Switchboard generates an ES256 key in `<CODER_CONFIG_DIR>/auth/` and `switchboard token create` mints tokens with it.",
                    ConfigOptions::httpUrl),
            option("CODER_AUTH_SIGNING_KEY_FILE", "coder.auth.signing-key-file", "`<CODER_CONFIG_DIR>/auth/token-signing-key.pem`",
                    "The generated ES256 key (zero-config mode, neither of the two above set), created with mode 0600 if missing; point it at a mounted Secret (`switchboard keys generate`) so tokens survive a reschedule.",
                    ConfigOptions::any),
            option("CODER_AUTH_CLOCK_SKEW", "coder.auth.clock-skew", "30s",
                    "How far a token's `exp`, `nbf` and `iat` may be off the server clock; `0s` for none. `iat` itself is optional.",
                    ConfigOptions::duration),
            option("CODER_AUTH_ISSUER", "coder.auth.issuer", null,
                    "When set, tokens must carry exactly this `iss`.", ConfigOptions::any),
            option("CODER_AUTH_AUDIENCE", "coder.auth.audience", null,
                    "When set, a token's `aud` must include this value.", ConfigOptions::any),
            new ConfigOption("CODER_PG_CONNECTION_URL", "coder.pg.connection-url", null,
                    "PostgreSQL shared by several replicas, Coder's form `postgres://user:pass@host:5432/db?sslmode=disable` (parameters `sslmode`, `application_name`). Unset: a single node with everything in memory and no database. See [Running several replicas](#running-several-replicas).",
                    PgConnectionUrl::problem, true),
            option("CODER_PROMETHEUS_ENABLE", "coder.prometheus.enable", "true",
                    "Serve Prometheus metrics at `/q/metrics` on the management listener (never on the public listener).",
                    ConfigOptions::bool),
            option("CODER_PROMETHEUS_ADDRESS", "coder.prometheus.address", ConfigDefaults.PROMETHEUS_ADDRESS,
                    "Management listener `host:port`: metrics and the health probes `/q/health/live`, `/q/health/ready`. Loopback by default, as Coder; the container images and `deploy/k8s/` set `0.0.0.0:9000` for probes and scraping.",
                    ConfigOptions::hostPort),
            option("CODER_SHUTDOWN_GRACE_PERIOD", "coder.shutdown.grace-period", "15s",
                    "After SIGTERM: readiness goes down and new DERP connections are refused at once; existing ones relay for up to this long (shutdown goes ahead as soon as no DERP connection and no coordinator peer is left), then get a Restarting frame and are closed. Keep it below the pod's `terminationGracePeriodSeconds`.",
                    ConfigOptions::duration),
            option("CODER_LOG_FORMAT", "coder.log.format", "human", "`human` (default) or `json` console logs.",
                    v -> oneOf(v, "human", "json")));

    private ConfigOptions() {
    }

    /** The README configuration table, one row per option (a test keeps README.md equal to this). */
    public static String markdownTable() {
        StringBuilder table = new StringBuilder("| Variable | Default | Meaning |\n|---|---|---|\n");
        for (ConfigOption option : ALL) {
            table.append("| `").append(option.env()).append("` | ").append(renderDefault(option.defaultValue()))
                    .append(" | ").append(option.meaning()).append(" |\n");
        }
        return table.toString();
    }

    /** Plain-text list for {@code switchboard server --help}. */
    public static String helpText() {
        StringBuilder text = new StringBuilder("%nEnvironment variables:%n");
        for (ConfigOption option : ALL) {
            text.append(String.format("  %-36s default: %s%n", option.env(),
                    option.defaultValue() == null ? "(unset)" : option.defaultValue().replace("`", "")));
        }
        return text.toString();
    }

    private static String renderDefault(String value) {
        if (value == null) {
            return "—";
        }
        return value.contains("`") ? value : "`" + value + "`";
    }

    private static ConfigOption option(String env, String property, String defaultValue, String meaning,
                                       ConfigOption.ValueCheck check) {
        return new ConfigOption(env, property, defaultValue, meaning, check, false);
    }

    /** The option for an environment variable. */
    public static ConfigOption named(String env) {
        return ALL.stream().filter(o -> o.env().equals(env)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no such setting " + env));
    }

    static String any(String value) {
        return null;
    }

    static String nonBlank(String value) {
        return value.isBlank() ? "a non-empty value" : null;
    }

    /** Strict: SmallRye would quietly read "maybe" as false. */
    static String bool(String value) {
        return oneOf(value.toLowerCase(Locale.ROOT), "true", "false") == null ? null : "true or false";
    }

    static String oneOf(String value, String... allowed) {
        return List.of(allowed).contains(value.strip().toLowerCase(Locale.ROOT)) ? null : String.join(", ", allowed);
    }

    static String nonNegativeInteger(String value) {
        try {
            return Long.parseLong(value.strip()) >= 0 ? null : "a non-negative integer";
        } catch (NumberFormatException e) {
            return "a non-negative integer";
        }
    }

    static String positiveInteger(String value) {
        try {
            return Long.parseLong(value.strip()) > 0 ? null : "a positive integer";
        } catch (NumberFormatException e) {
            return "a positive integer";
        }
    }

    /** 0 (the kernel's default) or 4 KiB to 1 GiB: below that a socket holds a handful of datagrams. */
    static String socketBufferSize(String value) {
        String expected = "0 or a size in bytes from 4096 to 1073741824";
        try {
            long bytes = Long.parseLong(value.strip());
            return bytes == 0 || (bytes >= 4096 && bytes <= 1 << 30) ? null : expected;
        } catch (NumberFormatException e) {
            return expected;
        }
    }

    static String hostPort(String value) {
        try {
            HostPort.parse("value", value);
            return null;
        } catch (ConfigException e) {
            return "host:port, e.g. 127.0.0.1:3000, :3000 or [::]:3000";
        }
    }

    static String hostPortListOrDisable(String value) {
        try {
            HostPort.parseList("value", value);
            return null;
        } catch (ConfigException e) {
            return "a comma-separated list of host:port, or disable";
        }
    }

    static String httpUrl(String value) {
        try {
            URI uri = URI.create(value.strip());
            boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
            return http && uri.getHost() != null ? null : "an http:// or https:// URL with a host";
        } catch (IllegalArgumentException e) {
            return "an http:// or https:// URL with a host";
        }
    }

    /** Go-style (1h30m, 300ms, 15s) or ISO-8601 (PT15S) durations. */
    static String duration(String value) {
        return parseDuration(value) == null ? "a duration such as 15s, 5m or 1h30m" : null;
    }

    public static Duration parseDuration(String value) {
        String text = value.strip();
        try {
            if (text.toUpperCase(Locale.ROOT).startsWith("P")) {
                return Duration.parse(text);
            }
            var matcher = Pattern.compile("(\\d+)(ms|h|m|s)").matcher(text);
            Duration total = Duration.ZERO;
            int end = 0;
            while (matcher.find() && matcher.start() == end) {
                long amount = Long.parseLong(matcher.group(1));
                total = total.plus(switch (matcher.group(2)) {
                    case "h" -> Duration.ofHours(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    default -> Duration.ofMillis(amount);
                });
                end = matcher.end();
            }
            return end == text.length() && end > 0 ? total : null;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
