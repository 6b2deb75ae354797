package dev.switchboard.tailnet.magicsock;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * A direct UDP path and its last measured round trip ({@code endpoint.go addrLatency}). {@code null} plays the role
 * of Go's zero {@code addrLatency} ("no bestAddr").
 */
public record AddrLatency(InetSocketAddress addr, long latencyNanos) {
    public AddrLatency {
        Objects.requireNonNull(addr, "addr");
        if (latencyNanos < 0) {
            throw new IllegalArgumentException("negative latency");
        }
    }

    public Duration latency() {
        return Duration.ofNanos(latencyNanos);
    }

    /**
     * {@code betterAddr(a, b)} of the Coder fork ({@code coder/tailscale wgengine/magicsock/endpoint.go}, identical in
     * current Tailscale), which wins over v1.36.2's "lower latency, IPv6 within 10 %" because it is what Coder agents
     * run: disagreeing on the best path would not break traffic, but it would make the two sides flap differently.
     *
     * <p>The faster address scores {@code 100 − 100·fast/slow} points (integer nanosecond arithmetic, as Go's
     * {@code time.Duration}); then +50 loopback, else +20 private (RFC 1918 / fc00::/7), and +10 IPv6. A gain of at
     * most 1 point over a 0-point incumbent never switches (hysteresis against flapping between equal paths).
     *
     * @param a the candidate (non-null)
     * @param b the incumbent {@code bestAddr}, or {@code null} when there is none
     */
    public static boolean betterAddr(AddrLatency a, AddrLatency b) {
        if (b == null) {
            return true;
        }
        if (a.addr.equals(b.addr)) {
            return false;
        }
        long aPoints = 0;
        long bPoints = 0;
        if (a.latencyNanos > b.latencyNanos && a.latencyNanos > 0) {
            bPoints = 100 - scaled(b.latencyNanos, a.latencyNanos);
        } else if (b.latencyNanos > 0) {
            aPoints = 100 - scaled(a.latencyNanos, b.latencyNanos);
        }
        aPoints += bonus(a.addr);
        bPoints += bonus(b.addr);
        if (aPoints <= 1 && bPoints == 0) {
            return false;
        }
        return aPoints > bPoints;
    }

    /** {@code (fast * 100) / slow} with Go's truncating division; latencies are far below the overflow bound. */
    private static long scaled(long fast, long slow) {
        return Math.multiplyExact(fast, 100L) / slow;
    }

    private static int bonus(InetSocketAddress addr) {
        int points = 0;
        if (AddrPorts.isLoopback(addr)) {
            points += 50;
        } else if (AddrPorts.isPrivate(addr)) {
            points += 20;
        }
        if (AddrPorts.is6(addr)) {
            points += 10;
        }
        return points;
    }

    @Override
    public String toString() {
        return AddrPorts.format(addr) + "@" + latency();
    }
}
