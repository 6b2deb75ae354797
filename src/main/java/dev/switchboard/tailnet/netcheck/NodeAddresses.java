package dev.switchboard.tailnet.netcheck;

import dev.switchboard.derpmap.DerpNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a node's STUN server is. Literal addresses are parsed without DNS; host names are resolved on a worker
 * thread, never on an event loop.
 */
public final class NodeAddresses {
    static final int DEFAULT_STUN_PORT = 3478;
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final Vertx vertx;

    public NodeAddresses(Vertx vertx) {
        this.vertx = vertx;
    }

    /** STUNPort 0 means 3478 (tailcfg.DERPNode). */
    public static int stunPort(DerpNode node) {
        return node.stunPort() == 0 ? DEFAULT_STUN_PORT : node.stunPort();
    }

    /**
     * Whether the node might answer over {@code family} from its fields alone (Tailscale's nodeMight4/nodeMight6): an
     * empty IPv4/IPv6 field leaves it to DNS, anything that is not an address of that family ("none") disables it.
     */
    static boolean might(DerpNode node, IpFamily family) {
        String field = family == IpFamily.V4 ? node.ipv4() : node.ipv6();
        return field == null || field.isEmpty() || literal(field).filter(a -> IpFamily.of(a) == family).isPresent();
    }

    /**
     * The STUN target for a netcheck probe over {@code family} (Tailscale's nodeAddr): STUNTestIP if it is of that
     * family, else the IPv4/IPv6 field, else the first DNS answer of that family for HostName. Empty if none.
     */
    public Future<Optional<InetSocketAddress>> probeTarget(DerpNode node, IpFamily family) {
        int port = stunPort(node);
        if (node.stunPort() < 0 || port > 65535) {
            return Future.succeededFuture(Optional.empty());
        }
        if (node.stunTestIp() != null && !node.stunTestIp().isEmpty()) {
            return Future.succeededFuture(literal(node.stunTestIp()).filter(a -> IpFamily.of(a) == family)
                    .map(a -> new InetSocketAddress(a, port)));
        }
        String field = family == IpFamily.V4 ? node.ipv4() : node.ipv6();
        if (field != null && !field.isEmpty()) {
            return Future.succeededFuture(literal(field).filter(a -> IpFamily.of(a) == family)
                    .map(a -> new InetSocketAddress(a, port)));
        }
        return resolve(node.hostName()).map(all -> Arrays.stream(all).filter(a -> IpFamily.of(a) == family)
                .findFirst().map(a -> new InetSocketAddress(a, port)));
    }

    /**
     * The STUN target of Coder's per-node check (coder/coder coderd/healthcheck/derphealth/derp.go stunAddr):
     * STUNTestIP, else HostName through DNS, else IPv4, else IPv6; fails saying why when there is none.
     */
    public Future<InetSocketAddress> healthCheckTarget(DerpNode node) {
        int port = stunPort(node);
        if (port < 0 || port > 65535) {
            return Future.failedFuture("invalid stun port " + node.stunPort());
        }
        if (node.stunTestIp() != null && !node.stunTestIp().isEmpty()) {
            return fromLiteral("stun test ip", node.stunTestIp(), null, port);
        }
        if (!node.hostName().isEmpty()) {
            return resolve(node.hostName()).map(all -> new InetSocketAddress(all[0], port))
                    .recover(e -> Future.failedFuture("lookup ip addr: " + e.getMessage()));
        }
        if (node.ipv4() != null && !node.ipv4().isEmpty()) {
            return fromLiteral("ipv4", node.ipv4(), IpFamily.V4, port);
        }
        if (node.ipv6() != null && !node.ipv6().isEmpty()) {
            return fromLiteral("ipv6", node.ipv6(), IpFamily.V6, port);
        }
        return Future.failedFuture("no stun ips provided");
    }

    private static Future<InetSocketAddress> fromLiteral(String what, String text, IpFamily family, int port) {
        return literal(text).filter(a -> family == null || IpFamily.of(a) == family)
                .map(a -> Future.succeededFuture(new InetSocketAddress(a, port)))
                .orElseGet(() -> Future.failedFuture("invalid " + what + " \"" + text + "\""));
    }

    /** DNS (or the hosts file) on a worker thread; a literal comes back at once. */
    private Future<InetAddress[]> resolve(String host) {
        Optional<InetAddress> literal = literal(host);
        if (literal.isPresent()) {
            return Future.succeededFuture(new InetAddress[]{literal.get()});
        }
        return vertx.executeBlocking(() -> InetAddress.getAllByName(host), false);
    }

    /** An IP literal, parsed without any lookup; empty for names and for "none". */
    public static Optional<InetAddress> literal(String text) {
        String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (!IPV4_LITERAL.matcher(bare).matches() && !bare.contains(":")) {
            return Optional.empty();
        }
        try {
            InetAddress address = InetAddress.getByName(bare); // a literal: no DNS query is made
            return address instanceof Inet4Address || address instanceof Inet6Address ? Optional.of(address)
                    : Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
