package dev.switchboard.tailnet.magicsock;

import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The interface addresses a bound socket is reachable on, the last source of own endpoints in
 * {@code magicsock.go determineEndpoints} ({@code netmon.LocalAddresses}): the bound address itself, or for the
 * wildcard every address of every interface that is up. IPv4 only, like the socket.
 */
final class LocalAddresses {
    private LocalAddresses() {
    }

    static List<InetAddress> forBind(String bindHost) {
        InetAddress bound = NetUtil.createInetAddressFromIpAddressString(bindHost);
        if (bound != null && !bound.isAnyLocalAddress()) {
            return List.of(bound);
        }
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nif.isUp()) {
                    Collections.list(nif.getInetAddresses()).stream().filter(a -> a instanceof Inet4Address)
                            .forEach(out::add);
                }
            }
        } catch (SocketException e) {
            // No interface list: only what the peers see via STUN or DERP remains.
        }
        return out;
    }
}
