package dev.switchboard.tailnet.engine;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.switchboard.coordinator.proto.Node;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.tailnet.disco.DiscoKey;
import dev.switchboard.tailnet.magicsock.AddrPorts;
import dev.switchboard.tailnet.netcheck.NetcheckReport;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * This peer's coordinator {@code Node} as Coder's {@code tailnet/conn.go} ({@code Conn.node}) and
 * {@code tailnet/convert.go} build it: key in {@code key.NodePublic} binary form, disco key as text, the home region
 * as {@code preferred_derp}, addresses doubling as allowed IPs, own endpoints as {@code ip:port}, the last
 * netcheck's latencies as {@code derp_latency}. Immutable; two nodes that are equal need not be sent twice.
 */
record SelfNode(long id, NodeKey key, DiscoKey disco, int preferredDerp, List<String> addresses,
                List<InetSocketAddress> endpoints, Map<String, Double> derpLatency) {
    SelfNode {
        addresses = List.copyOf(addresses);
        endpoints = List.copyOf(endpoints);
        derpLatency = Map.copyOf(derpLatency);
    }

    /** {@code NodeID}: the last 8 bytes of a UUID, big-endian, made non-negative ({@code tailnet/conn.go}). */
    static long nodeId(UUID id) {
        return id.getLeastSignificantBits() & Long.MAX_VALUE;
    }

    /** After a re-STUN: the home region, our endpoints and the report's latencies. */
    SelfNode withNetInfo(int home, List<InetSocketAddress> eps, NetcheckReport report) {
        return new SelfNode(id, key, disco, home, addresses, eps, derpLatency(report));
    }

    /**
     * {@code NetInfo.DERPLatency} as Tailscale's {@code magicsock.go updateNetInfo} fills it and Coder's
     * {@code tailnet/node.go} copies it into {@code Node.derp_latency}: {@code "<region>-v4"} / {@code "<region>-v6"}
     * → seconds, from the per-family STUN latencies (an HTTPS-only latency has no family entry, as in Tailscale).
     */
    static Map<String, Double> derpLatency(NetcheckReport report) {
        Map<String, Double> out = new TreeMap<>();
        report.regionV4Latency().forEach((region, nanos) -> out.put(region + "-v4", nanos / 1e9));
        report.regionV6Latency().forEach((region, nanos) -> out.put(region + "-v6", nanos / 1e9));
        return out;
    }

    Node toProto(Instant asOf) {
        Node.Builder node = Node.newBuilder().setId(id)
                .setAsOf(Timestamp.newBuilder().setSeconds(asOf.getEpochSecond()).setNanos(asOf.getNano()))
                .setKey(ByteString.copyFrom(key.toBinary()))
                .setDisco(disco.toString()).setPreferredDerp(preferredDerp)
                .addAllAddresses(addresses).addAllAllowedIps(addresses).putAllDerpLatency(derpLatency);
        endpoints.forEach(ep -> node.addEndpoints(AddrPorts.format(ep)));
        return node.build();
    }
}
