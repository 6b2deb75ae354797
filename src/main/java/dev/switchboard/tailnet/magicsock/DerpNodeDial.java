package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.derpmap.DerpNode;
import dev.switchboard.derpmap.DerpRegion;
import io.netty.util.NetUtil;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * How to dial a DERP region's nodes, in the map's priority order (tailscale {@code derp/derphttp/derphttp_client.go
 * dialRegion}, Coder fork's {@code ForceHTTP}; field meanings in {@code tailcfg/derpmap.go}). STUN-only nodes are
 * skipped. Pure.
 *
 * <p>{@link DerpClientOptions} dials the URL's host and verifies TLS against it, so: an {@code IPv4}/{@code IPv6}
 * literal replaces DNS only where no certificate is checked ({@code ForceHTTP}, {@code InsecureForTests}); a node
 * whose {@code CertName} differs from its {@code HostName} (a different name or a {@code sha256-raw:} pin) is skipped
 * unless {@code InsecureForTests}, since its certificate cannot be verified as Tailscale would.
 */
public final class DerpNodeDial {
    private DerpNodeDial() {
    }

    /** One node's connection options, or none (STUN-only, no usable address, unverifiable certificate). */
    public static List<DerpClientOptions> forRegion(DerpRegion region, NodePrivateKey key, boolean webSocket) {
        List<DerpClientOptions> out = new ArrayList<>();
        for (DerpNode node : region.nodes()) {
            URI url = url(node);
            if (url == null) {
                continue;
            }
            DerpClientOptions options = DerpClientOptions.of(url, key).withWebSocket(webSocket)
                    .withTrustAll(node.insecureForTests());
            if (!node.name().isEmpty() && !node.equals(region.nodes().getFirst())) {
                options = options.withIdealNode(region.nodes().getFirst().name());
            }
            out.add(options);
        }
        return out;
    }

    /** {@code https://<host>[:<DERPPort>]/derp}, {@code http://} with ForceHTTP; null when the node cannot be dialled. */
    static URI url(DerpNode node) {
        if (node.stunOnly()) {
            return null;
        }
        boolean verified = !node.forceHttp() && !node.insecureForTests();
        String cert = node.certName() == null ? "" : node.certName();
        if (verified && !cert.isEmpty() && !cert.equals(node.hostName())) {
            return null;
        }
        String host = verified ? node.hostName() : firstNonEmpty(literal(node.ipv4()), literal(node.ipv6()),
                node.hostName());
        if (host.isEmpty()) {
            return null;
        }
        int port = node.derpPort() != 0 ? node.derpPort() : node.forceHttp() ? 80 : 443;
        String authority = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return URI.create((node.forceHttp() ? "http" : "https") + "://" + authority + ":" + port + "/derp");
    }

    /** A usable IP literal; {@code "none"} or any non-address disables that family (tailcfg.DERPNode). */
    private static String literal(String ip) {
        return ip != null && NetUtil.isValidIpV4Address(ip) || ip != null && NetUtil.isValidIpV6Address(ip) ? ip : "";
    }

    private static String firstNonEmpty(String... values) {
        for (String v : values) {
            if (!v.isEmpty()) {
                return v;
            }
        }
        return "";
    }
}
