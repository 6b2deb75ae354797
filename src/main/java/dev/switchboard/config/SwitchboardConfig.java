package dev.switchboard.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Every {@code CODER_*} setting Switchboard reads. Names mirror the environment variables: {@code CODER_X_Y} is
 * {@code coder.x-y} here and {@code x().y()} in code.
 */
@ConfigMapping(prefix = "coder")
public interface SwitchboardConfig {
    /** CODER_CONFIG_DIR: data directory for generated keys. Default {@code ~/.config/switchboard}. */
    @WithDefault("${user.home}/.config/switchboard")
    Path configDir();

    /** CODER_HTTP_ADDRESS: HTTP listener {@code host:port}. Default {@code 127.0.0.1:3000}. */
    @WithDefault(ConfigDefaults.HTTP_ADDRESS)
    String httpAddress();

    /** CODER_HTTP_READ_HEADER_TIMEOUT: time a connection has to deliver a complete request head. Default 10s. */
    @WithDefault("10s")
    java.time.Duration httpReadHeaderTimeout();

    /** CODER_HTTP_ACCEPT_RATE_PER_IP: connections per second one source may open; 0 = no limit. */
    @WithDefault("0")
    long httpAcceptRatePerIp();

    /** CODER_HTTP_ACCEPT_BURST_PER_IP: connections one source may open at once; 0 = one second's worth. */
    @WithDefault("0")
    long httpAcceptBurstPerIp();

    /**
     * CODER_STUN_LISTEN_ADDRESSES: UDP {@code host:port} list for the STUN responder; {@code :3478} (default) means
     * IPv4 and IPv6 on port 3478; {@code disable} turns the responder off.
     */
    @WithDefault(":3478")
    String stunListenAddresses();

    /** CODER_STUN_RECEIVE_BUFFER: SO_RCVBUF of each STUN socket in bytes; 0 keeps the kernel default. */
    @WithDefault(ConfigDefaults.STUN_RECEIVE_BUFFER)
    int stunReceiveBuffer();

    /** CODER_ACCESS_URL: external URL; its host and port become the embedded DERP node. Default: the HTTP listener. */
    Optional<String> accessUrl();

    /** CODER_BLOCK_DIRECT: relay-only deployment (no STUN in the map, clients told to disable direct paths). */
    @WithDefault("false")
    boolean blockDirect();

    /** CODER_WORKSPACE_HOSTNAME_SUFFIX: DNS suffix sent to clients. Default {@code coder}. */
    @WithDefault("coder")
    String workspaceHostnameSuffix();

    Tls tls();

    Auth auth();

    Prometheus prometheus();

    Shutdown shutdown();

    Log log();

    Pg pg();

    /** Shared state for several replicas (dev.switchboard.ha); unset = one node, everything in memory. */
    interface Pg {
        /** CODER_PG_CONNECTION_URL: {@code postgres://user:pass@host:port/db?sslmode=…}. */
        Optional<String> connectionUrl();
    }

    /** Metrics on the management listener (which also serves the health probes). */
    interface Prometheus {
        /** CODER_PROMETHEUS_ENABLE: serve /q/metrics on the management listener. Default true. */
        @WithDefault("true")
        boolean enable();

        /** CODER_PROMETHEUS_ADDRESS: management listener host:port. Default 127.0.0.1:9000. */
        @WithDefault(ConfigDefaults.PROMETHEUS_ADDRESS)
        String address();
    }

    interface Shutdown {
        /** CODER_SHUTDOWN_GRACE_PERIOD: how long relays keep running after SIGTERM. Default 15s. */
        @WithDefault("15s")
        String gracePeriod();
    }

    interface Log {
        /** CODER_LOG_FORMAT: human or json. */
        @WithDefault("human")
        String format();
    }

    /** CODER_BROWSER_ONLY: refuse non-browser client connections to the coordinator (409). Default false. */
    @WithDefault("false")
    boolean browserOnly();

    /** Token verification for the coordination API. */
    interface Auth {
        /** CODER_AUTH_PUBLIC_KEY_FILE: PEM public key that verifies session tokens (ES256, RS256 or EdDSA). */
        Optional<Path> publicKeyFile();

        /** CODER_AUTH_JWKS_URL: JWKS with the keys that verify session tokens. */
        Optional<String> jwksUrl();

        /** CODER_AUTH_SIGNING_KEY_FILE: the generated signing key. Default {@code <config dir>/auth/token-signing-key.pem}. */
        Optional<Path> signingKeyFile();

        /** CODER_AUTH_CLOCK_SKEW: how far exp, nbf and iat may be off the server clock. Default 30s. */
        @WithDefault("30s")
        java.time.Duration clockSkew();

        /** CODER_AUTH_ISSUER: when set, tokens must carry exactly this iss. */
        Optional<String> issuer();

        /** CODER_AUTH_AUDIENCE: when set, a token's aud must include it. */
        Optional<String> audience();
    }

    /** CODER_REDIRECT_TO_ACCESS_URL: redirect requests for other hosts to the access URL. Default false. */
    @WithDefault("false")
    boolean redirectToAccessUrl();

    /** TLS listener settings; applied to the Quarkus HTTPS listener by TlsConfigSourceFactory. */
    interface Tls {
        /** CODER_TLS_ENABLE: serve HTTPS (DERP, WebSocket, probes, API). Default false. */
        @WithDefault("false")
        boolean enable();

        /** CODER_TLS_ADDRESS: HTTPS listener; must share its host with CODER_HTTP_ADDRESS. Default 127.0.0.1:3443. */
        @WithDefault(ConfigDefaults.TLS_ADDRESS)
        String address();

        /** CODER_TLS_CERT_FILE: PEM certificate chain files (comma list); none = self-signed development cert. */
        Optional<String> certFile();

        /** CODER_TLS_KEY_FILE: PEM private keys matching CODER_TLS_CERT_FILE. */
        Optional<String> keyFile();

        /** CODER_TLS_MIN_VERSION: tls10, tls11, tls12 (default) or tls13. */
        @WithDefault("tls12")
        String minVersion();
    }

    Derp derp();

    interface Derp {
        Server server();

        Config config();

        /** CODER_DERP_FORCE_WEBSOCKETS: tell clients to use DERP over WebSocket. Default false. */
        @WithDefault("false")
        boolean forceWebsockets();

        interface Config {
            /** CODER_DERP_CONFIG_PATH: DERP map JSON file merged into the served map (watched for changes). */
            Optional<Path> path();

            /** CODER_DERP_CONFIG_URL: DERP map JSON fetched with GET and merged into the served map. */
            Optional<String> url();

            /** CODER_DERP_CONFIG_REFRESH: how often the URL is re-fetched. Default 5m. */
            @WithDefault("5m")
            java.time.Duration refresh();
        }

        interface Server {
            /** CODER_DERP_SERVER_ENABLE: serve the embedded relay at /derp. Default true. */
            @WithDefault("true")
            boolean enable();

            /** CODER_DERP_SERVER_REGION_ID: embedded region ID; STUN regions follow from ID + 1. Default 999. */
            @WithDefault("999")
            long regionId();

            /** CODER_DERP_SERVER_REGION_CODE: embedded region code. Default {@code coder}. */
            @WithDefault("coder")
            String regionCode();

            /** CODER_DERP_SERVER_REGION_NAME: embedded region display name. */
            @WithDefault("Coder Embedded Relay")
            String regionName();

            /** CODER_DERP_SERVER_STUN_ADDRESSES: {@code host:port} list, one STUN-only region each; {@code disable}. */
            @WithDefault(ConfigDefaults.STUN_ADDRESSES)
            String stunAddresses();

            /** CODER_DERP_SERVER_PRIVATE_KEY_PATH: node key file. Default {@code <config dir>/derp.key}. */
            Optional<Path> privateKeyPath();

            /** CODER_DERP_SERVER_MESH_KEY: 64 hex digits granting mesh privileges. */
            Optional<String> meshKey();

            /**
             * CODER_DERP_SERVER_RELAY_URL: this replica's private URL that sibling replicas mesh with. Default
             * {@code http://<POD_IP or loopback>:<HTTP port>} (RelayUrl).
             */
            Optional<String> relayUrl();

            /** CODER_DERP_SERVER_MESH_KEY_FILE: file holding the mesh key (alternative to the variable). */
            @WithName("mesh-key-file")
            Optional<Path> meshKeyFile();

            /** CODER_DERP_SERVER_MAX_CONNECTIONS_PER_IP: concurrent DERP connections per source IP; 0 = no limit. */
            @WithDefault("0")
            int maxConnectionsPerIp();

            /** CODER_DERP_SERVER_RECEIVE_RATE: bytes/s read from one client; 0 = unlimited. */
            @WithDefault("0")
            long receiveRate();

            /** CODER_DERP_SERVER_RECEIVE_BURST: bytes above the rate a client may send at once; 0 = one second's worth. */
            @WithDefault("0")
            long receiveBurst();

            /** CODER_DERP_SERVER_VERIFY_CLIENTS: only announced node keys and mesh peers may use the relay. */
            @WithDefault("false")
            boolean verifyClients();

            /** CODER_DERP_SERVER_WARMUP: longest loopback warm-up before readiness; 0 = none (warmup.RelayWarmup). */
            @WithDefault("15s")
            String warmup();
        }
    }
}
