package dev.switchboard.tailnet.netcheck;

import dev.switchboard.derpmap.DerpNode;

import java.net.URI;

/**
 * A node's HTTP(S) URLs as Coder builds them (coder/coder coderd/healthcheck/derphealth/derp.go derpURL): https, or
 * http with ForceHTTP; HostName, or IPv4 when it is empty; the port unless 0 or the scheme's default.
 */
public final class DerpUrls {
    private DerpUrls() {
    }

    public static URI derp(DerpNode node) {
        return withPath(node, "/derp");
    }

    /** Tailscale's HTTPS latency probe target ({@code measureHTTPSLatency}, net/netcheck/netcheck.go). */
    public static URI latencyCheck(DerpNode node) {
        return withPath(node, "/derp/latency-check");
    }

    private static URI withPath(DerpNode node, String path) {
        String scheme = node.forceHttp() ? "http" : "https";
        String host = node.hostName().isEmpty() ? node.ipv4() : node.hostName();
        host = host != null && host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        int port = node.derpPort();
        boolean defaultPort = port == 0 || (port == 443 && scheme.equals("https")) || (port == 80 && scheme.equals("http"));
        return URI.create(scheme + "://" + host + (defaultPort ? "" : ":" + port) + path);
    }
}
