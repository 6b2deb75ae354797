package dev.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * The kernel's count of UDP datagrams dropped because a socket's receive buffer was full ({@code RcvbufErrors} in
 * {@code /proc/net/snmp}, {@code Udp6RcvbufErrors} in {@code /proc/net/snmp6}; what {@code nstat} shows), for the
 * whole network namespace: a STUN run's loss that equals its delta happened in a socket buffer, not in the tool.
 */
public final class UdpDrops {
    private UdpDrops() {
    }

    /** IPv4 plus IPv6 receive-buffer drops so far, or empty off Linux. */
    public static OptionalLong receiveBufferErrors() {
        try {
            return OptionalLong.of(ipv4(Files.readAllLines(Path.of("/proc/net/snmp")))
                    + ipv6(Files.readAllLines(Path.of("/proc/net/snmp6"))));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The {@code Udp:} header line names the columns, the next {@code Udp:} line holds the values. */
    static long ipv4(List<String> snmp) {
        List<String> udp = snmp.stream().filter(line -> line.startsWith("Udp: ")).toList();
        List<String> names = List.of(udp.get(0).split(" "));
        return Long.parseLong(udp.get(1).split(" ")[names.indexOf("RcvbufErrors")]);
    }

    static long ipv6(List<String> snmp6) {
        return snmp6.stream().filter(line -> line.startsWith("Udp6RcvbufErrors")).findFirst()
                .map(line -> Long.parseLong(line.split("\\s+")[1])).orElse(0L);
    }
}
