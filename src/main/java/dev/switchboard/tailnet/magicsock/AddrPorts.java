package dev.switchboard.tailnet.magicsock;

import java.net.Inet4Address;
import io.netty.util.NetUtil;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Go {@code netip.AddrPort} semantics for {@link InetSocketAddress}: literal-only parsing (never DNS), the
 * {@code Unmap} of IPv4-mapped IPv6, and the {@code netip.Addr} predicates magicsock's path choice depends on.
 */
public final class AddrPorts {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private AddrPorts() {
    }

    /**
     * Parses {@code a.b.c.d:port} or {@code [v6]:port} ({@code netip.ParseAddrPort}, as used for {@code Node.endpoints}).
     * Empty for anything else; zones are refused because Coder never publishes them and the JDK would resolve them
     * against local interfaces.
     */
    public static Optional<InetSocketAddress> parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1 || text.indexOf('%') >= 0) {
            return Optional.empty();
        }
        String host = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        if (!portText.chars().allMatch(Character::isDigit) || portText.length() > 5) {
            return Optional.empty();
        }
        int port = Integer.parseInt(portText);
        if (port > 0xffff) {
            return Optional.empty();
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
            if (host.indexOf(':') < 0) {
                return Optional.empty();
            }
        } else if (!IPV4.matcher(host).matches()) {
            return Optional.empty();
        }
        try {
            // A literal with ':' or a dotted quad is parsed numerically by the JDK; it never reaches the resolver.
            return Optional.of(of(InetAddress.getByName(host), port));
        } catch (UnknownHostException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Go's {@code AddrPort.String}: {@code a.b.c.d:port} or {@code [v6]:port} with the IPv6 text compressed as Go
     * (and RFC 5952 §4) writes it, {@code [fd00::2]:41641}, not Java's {@code fd00:0:0:0:0:0:0:2}.
     */
    public static String format(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        return ip instanceof Inet6Address ? "[" + NetUtil.toAddressString(ip) + "]:" + a.getPort()
                : ip.getHostAddress() + ":" + a.getPort();
    }

    /** An address with IPv4-mapped IPv6 unmapped ({@code netip.Addr.Unmap}), so equal paths compare equal. */
    public static InetSocketAddress of(InetAddress ip, int port) {
        byte[] b = ip.getAddress();
        if (b.length == 16 && isV4Mapped(b)) {
            try {
                ip = InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return new InetSocketAddress(ip, port);
    }

    /** {@code Addr.Is6} after unmapping. */
    public static boolean is6(InetSocketAddress a) {
        return a.getAddress() instanceof Inet6Address && !isV4Mapped(a.getAddress().getAddress());
    }

    /** {@code Addr.IsLoopback}: 127/8 and ::1. */
    public static boolean isLoopback(InetSocketAddress a) {
        return a.getAddress().isLoopbackAddress();
    }

    /**
     * {@code Addr.IsPrivate} (RFC 1918 and RFC 4193 fc00::/7). Not the JDK's {@code isSiteLocalAddress}, which means
     * the deprecated fec0::/10 for IPv6.
     */
    public static boolean isPrivate(InetSocketAddress a) {
        byte[] b = a.getAddress().getAddress();
        if (a.getAddress() instanceof Inet4Address) {
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            return b0 == 10 || (b0 == 172 && (b1 & 0xf0) == 16) || (b0 == 192 && b1 == 168);
        }
        return (b[0] & 0xfe) == 0xfc;
    }

    /** {@code Addr.IsLinkLocalUnicast} for IPv6 (fe80::/10), which CallMeMaybe handling skips. */
    public static boolean isLinkLocal6(InetSocketAddress a) {
        byte[] b = a.getAddress().getAddress();
        return b.length == 16 && (b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80;
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }
}
