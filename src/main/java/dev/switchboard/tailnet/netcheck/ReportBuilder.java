package dev.switchboard.tailnet.netcheck;

import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpNode;
import dev.switchboard.derpmap.DerpRegion;

import io.netty.util.NetUtil;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Accumulates one report as results arrive (Tailscale's reportState.addNodeLatency and probeWouldHelp,
 * net/netcheck/netcheck.go v1.36.2). Not thread-safe: confined to the prober's context.
 */
final class ReportBuilder {
    /** Go writes integer map keys as strings, sorted as strings. */
    private static final Comparator<Long> GO_KEY_ORDER = Comparator.comparing(String::valueOf);

    private final boolean osHasIpv6;
    private boolean udp;
    private boolean ipv4;
    private boolean ipv6;
    private boolean ipv4CanSend;
    private boolean ipv6CanSend;
    private Boolean mappingVariesByDestIp;
    private String globalV4;
    private String globalV6;
    private final Map<Long, Duration> regionLatency = new TreeMap<>();
    private final Map<Long, Duration> regionV4Latency = new TreeMap<>();
    private final Map<Long, Duration> regionV6Latency = new TreeMap<>();

    ReportBuilder(boolean osHasIpv6) {
        this.osHasIpv6 = osHasIpv6;
    }

    void sent(IpFamily family) {
        if (family == IpFamily.V4) {
            ipv4CanSend = true;
        } else {
            ipv6CanSend = true;
        }
    }

    /** A STUN answer from a node of {@code regionId} after {@code latency}, seeing us as {@code mapped}. */
    void addStunLatency(long regionId, InetSocketAddress mapped, Duration latency) {
        udp = true;
        keepFastest(regionLatency, regionId, latency);
        String endpoint = hostPort(mapped);
        if (IpFamily.of(mapped.getAddress()) == IpFamily.V6) {
            keepFastest(regionV6Latency, regionId, latency);
            ipv6 = true;
            globalV6 = endpoint;
        } else {
            keepFastest(regionV4Latency, regionId, latency);
            ipv4 = true;
            if (globalV4 == null) {
                globalV4 = endpoint;
            } else if (!globalV4.equals(endpoint)) {
                // A second STUN server saw another address or port: the NAT maps per destination (hard NAT).
                mappingVariesByDestIp = true;
            } else if (mappingVariesByDestIp == null) {
                mappingVariesByDestIp = false;
            }
        }
    }

    /** The HTTPS fallback when UDP got nothing: a latency, but no endpoint. */
    void addHttpsLatency(long regionId, Duration latency, IpFamily family) {
        keepFastest(regionLatency, regionId, latency);
        if (family == IpFamily.V4) {
            ipv4 = true;
        } else {
            ipv6 = true;
        }
    }

    boolean anyUdp() {
        return udp;
    }

    boolean hasLatency(long regionId) {
        return regionLatency.containsKey(regionId);
    }

    /** Whether another probe could tell us anything new (Tailscale's probeWouldHelp). */
    boolean probeWouldHelp(long regionId, IpFamily family) {
        if (!regionLatency.containsKey(regionId)) {
            return true;
        }
        if (family == IpFamily.V6 && regionV6Latency.isEmpty()) {
            return true;
        }
        // Two IPv4 results are needed to know whether the mapping varies by destination.
        return family == IpFamily.V4 && mappingVariesByDestIp == null;
    }

    NetcheckReport build(DerpMap map) {
        return new NetcheckReport(udp, ipv6, ipv4, ipv6CanSend, ipv4CanSend, osHasIpv6, mappingVariesByDestIp,
                null, null, null, null, preferredDerp(map), nanos(regionLatency), nanos(regionV4Latency),
                nanos(regionV6Latency), globalV4 == null ? "" : globalV4, globalV6 == null ? "" : globalV6);
    }

    /**
     * The fastest region that may be home (Tailscale's addReportHistoryAndSetPreferredDERP over a single report);
     * Avoid and NoMeasureNoHome regions are never chosen, nor regions of STUN-only nodes (Coder's map gives each STUN
     * server a region of its own, and a home must relay). 0 when nothing answered.
     */
    private long preferredDerp(DerpMap map) {
        long best = 0;
        Duration bestLatency = null;
        for (Map.Entry<Long, Duration> entry : regionLatency.entrySet()) {
            DerpRegion region = map.regions().get(entry.getKey());
            if (region == null || region.avoid() || region.noMeasureNoHome()
                    || region.nodes().stream().allMatch(DerpNode::stunOnly)) {
                continue;
            }
            if (bestLatency == null || entry.getValue().compareTo(bestLatency) < 0) {
                best = entry.getKey();
                bestLatency = entry.getValue();
            }
        }
        return best;
    }

    private static void keepFastest(Map<Long, Duration> latencies, long regionId, Duration latency) {
        latencies.merge(regionId, latency, (a, b) -> a.compareTo(b) <= 0 ? a : b);
    }

    private static SortedMap<Long, Long> nanos(Map<Long, Duration> latencies) {
        SortedMap<Long, Long> out = new TreeMap<>(GO_KEY_ORDER);
        latencies.forEach((id, d) -> out.put(id, d.toNanos()));
        return Collections.unmodifiableSortedMap(out);
    }

    /** {@code ip:port}, IPv6 in brackets, as Go's net.JoinHostPort writes it. */
    static String hostPort(InetSocketAddress address) {
        String host = NetUtil.toAddressString(address.getAddress()); // RFC 5952 §4, as Go writes it
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
