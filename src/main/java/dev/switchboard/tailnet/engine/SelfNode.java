package dev.switchboard.tailnet.engine;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.switchboard.coordinator.proto.Node;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.tailnet.disco.DiscoKey;
import dev.switchboard.tailnet.magicsock.AddrPorts;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * This peer's coordinator {@code Node} as Coder's {@code tailnet/conn.go} ({@code Conn.node}) and
 * {@code tailnet/convert.go} build it: key in {@code key.NodePublic} binary form, disco key as text, the home region
 * as {@code preferred_derp}, addresses doubling as allowed IPs, own endpoints as {@code ip:port}. Immutable.
 */
record SelfNode(long id, NodeKey key, DiscoKey disco, int preferredDerp, List<String> addresses,
                List<InetSocketAddress> endpoints) {
    SelfNode {
        addresses = List.copyOf(addresses);
        endpoints = List.copyOf(endpoints);
    }

    /** {@code NodeID}: the last 8 bytes of a UUID, big-endian, made non-negative ({@code tailnet/conn.go}). */
    static long nodeId(UUID id) {
        return id.getLeastSignificantBits() & Long.MAX_VALUE;
    }

    SelfNode withPreferredDerp(int region) {
        return new SelfNode(id, key, disco, region, addresses, endpoints);
    }

    SelfNode withEndpoints(List<InetSocketAddress> eps) {
        return new SelfNode(id, key, disco, preferredDerp, addresses, eps);
    }

    Node toProto(Instant asOf) {
        Node.Builder node = Node.newBuilder().setId(id)
                .setAsOf(Timestamp.newBuilder().setSeconds(asOf.getEpochSecond()).setNanos(asOf.getNano()))
                .setKey(ByteString.copyFrom(ByteBuffer.allocate(34).put((byte) 'n').put((byte) 'p')
                        .put(key.toBytes()).array()))
                .setDisco(disco.toString()).setPreferredDerp(preferredDerp)
                .addAllAddresses(addresses).addAllAllowedIps(addresses);
        endpoints.forEach(ep -> node.addEndpoints(AddrPorts.format(ep)));
        return node.build();
    }
}
