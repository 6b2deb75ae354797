package dev.switchboard.tailnet.magicsock;

import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * The interface addresses a bound socket is reachable on, the last source of own endpoints in
 * {@code magicsock.go determineEndpoints} ({@code netmon.LocalAddresses}): the bound address itself, or for the
 * wildcard every address of every interface that is up; the IPv6 socket adds the interfaces' global IPv6 addresses.
 */
final class LocalAddresses {
    private LocalAddresses() {
    }

    static boolean isWildcard(String bindHost) {
        InetAddress bound = NetUtil.createInetAddressFromIpAddressString(bindHost);
        return bound == null || bound.isAnyLocalAddress();
    }

    /** The IPv4 addresses a socket bound to {@code bindHost} is reachable on. */
    static List<InetAddress> forBind(String bindHost) {
        if (!isWildcard(bindHost)) {
            return List.of(NetUtil.createInetAddressFromIpAddressString(bindHost));
        }
        return all(a -> a instanceof Inet4Address);
    }

    /**
     * Global IPv6 addresses: link-local ones need a scope a peer cannot use (Tailscale skips them in CallMeMaybe
     * too), loopback is never a path between hosts.
     */
    static List<InetAddress> ipv6() {
        // Interface addresses carry their scope ("fd00::2%eth0"); an endpoint a peer dials has none.
        return all(a -> a instanceof Inet6Address && !a.isLinkLocalAddress() && !a.isLoopbackAddress()).stream()
                .map(a -> NetUtil.createInetAddressFromIpAddressString(NetUtil.toAddressString(a))).toList();
    }

    private static List<InetAddress> all(Predicate<InetAddress> keep) {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nif.isUp()) {
                    Collections.list(nif.getInetAddresses()).stream().filter(keep).forEach(out::add);
                }
            }
        } catch (SocketException e) {
            // No interface list: only what the peers see via STUN or DERP remains.
        }
        return out;
    }
}
