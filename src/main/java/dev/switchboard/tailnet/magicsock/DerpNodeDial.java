package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.CertName;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.derpmap.DerpNode;
import dev.switchboard.derpmap.DerpRegion;
import io.netty.util.NetUtil;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How to dial a DERP region's nodes, in the map's priority order (tailscale {@code derp/derphttp/derphttp_client.go
 * dialRegion}/{@code dialNode}/{@code tlsServerName}, Coder fork's {@code ForceHTTP}; field meanings in
 * {@code tailcfg/derpmap.go}). STUN-only nodes are skipped. Pure.
 *
 * <p>As Tailscale's client: an {@code IPv4} literal (else {@code IPv6}) is dialled instead of resolving
 * {@code HostName}, and TLS verifies the certificate against {@code CertName} if set, else {@code HostName}; a
 * {@code sha256-raw:} CertName pins the certificate itself ({@link CertName}). A node whose CertName cannot be
 * understood is skipped.
 */
public final class DerpNodeDial {
    private DerpNodeDial() {
    }

    /** One node's connection options, or none (STUN-only, no usable address, unusable CertName). */
    public static List<DerpClientOptions> forRegion(DerpRegion region, NodePrivateKey key, boolean webSocket) {
        List<DerpClientOptions> out = new ArrayList<>();
        for (DerpNode node : region.nodes()) {
            URI url = url(node);
            Optional<CertName> certName;
            try {
                certName = certName(node, url);
            } catch (IllegalArgumentException malformed) {
                continue;
            }
            if (url == null) {
                continue;
            }
            DerpClientOptions options = DerpClientOptions.of(url, key).withWebSocket(webSocket)
                    .withTrustAll(node.insecureForTests());
            if (certName.isPresent()) {
                options = options.withCertName(certName.get());
            }
            if (!node.name().isEmpty() && !node.equals(region.nodes().getFirst())) {
                options = options.withIdealNode(region.nodes().getFirst().name());
            }
            out.add(options);
        }
        return out;
    }

    /** {@code https://<IPv4, IPv6 or HostName>[:<DERPPort>]/derp}, {@code http://} with ForceHTTP; null when it cannot be dialled. */
    static URI url(DerpNode node) {
        if (node.stunOnly()) {
            return null;
        }
        String host = firstNonEmpty(literal(node.ipv4()), literal(node.ipv6()), node.hostName());
        if (host.isEmpty()) {
            return null;
        }
        int port = node.derpPort() != 0 ? node.derpPort() : node.forceHttp() ? 80 : 443;
        String authority = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return URI.create((node.forceHttp() ? "http" : "https") + "://" + authority + ":" + port + "/derp");
    }

    /** The name (or pin) TLS checks when it is not the dialled host; none over plain HTTP or with InsecureForTests. */
    static Optional<CertName> certName(DerpNode node, URI url) {
        if (url == null || node.forceHttp() || node.insecureForTests()) {
            return Optional.empty();
        }
        String name = node.certName() != null && !node.certName().isEmpty() ? node.certName() : node.hostName();
        return CertName.forNode(name, url.getHost());
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
