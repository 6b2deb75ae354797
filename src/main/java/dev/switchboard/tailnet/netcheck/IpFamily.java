package dev.switchboard.tailnet.netcheck;

import java.net.Inet4Address;
import java.net.InetAddress;

/** The address family a STUN probe travels over (Tailscale's probeIPv4 / probeIPv6). */
public enum IpFamily {
    V4, V6;

    public static IpFamily of(InetAddress address) {
        return address instanceof Inet4Address ? V4 : V6;
    }
}
