package dev.switchboard.config;

/**
 * Defaults that more than one reader needs: the {@code @WithDefault} of {@link SwitchboardConfig} (which takes only
 * constants), the option registry and README table ({@link ConfigOptions}), and the config-source factories that run
 * before the mapping exists. {@code ConfigOptionsTest} checks the registry and the mapping agree on every default.
 */
public final class ConfigDefaults {
    /** CODER_HTTP_ADDRESS: loopback only until an operator opens it up. */
    public static final String HTTP_ADDRESS = "127.0.0.1:3000";
    /** CODER_TLS_ADDRESS: shares its host with the HTTP listener. */
    public static final String TLS_ADDRESS = "127.0.0.1:3443";
    /**
     * CODER_PROMETHEUS_ADDRESS: loopback, as Coder binds its Prometheus listener; the container images and the
     * Kubernetes manifests open it with 0.0.0.0 for probes and scraping.
     */
    public static final String PROMETHEUS_ADDRESS = "127.0.0.1:9000";
    /** CODER_DERP_SERVER_STUN_ADDRESSES: Coder's default STUN-only regions (Google's public STUN servers). */
    public static final String STUN_ADDRESSES = "stun.l.google.com:19302,stun1.l.google.com:19302,"
            + "stun2.l.google.com:19302,stun3.l.google.com:19302,stun4.l.google.com:19302";

    /**
     * CODER_STUN_RECEIVE_BUFFER: 2 MiB holds ~1900 queued requests (the kernel charges ~1.1 kB per small datagram),
     * 20 ms of work at 100k requests/s; Linux's usual 208 KiB default holds ~190, fewer than 4 clients × 64
     * requests in flight send at once.
     */
    public static final String STUN_RECEIVE_BUFFER = "2097152";

    private ConfigDefaults() {
    }
}
