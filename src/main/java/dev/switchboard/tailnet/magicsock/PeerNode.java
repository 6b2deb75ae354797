package dev.switchboard.tailnet.magicsock;

import dev.switchboard.coordinator.proto.Node;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.tailnet.disco.DiscoKey;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The parts of a coordinator {@code Node} magicsock uses, converted as Coder's {@code configmaps.go
 * protoNodeToTailcfg} does: key from its binary form, disco from {@code discokey:} text, {@code preferred_derp} as a
 * {@link DerpMagicAddress}, endpoints as literal {@code ip:port}s.
 */
public record PeerNode(NodeKey key, DiscoKey disco, DerpMagicAddress derp, List<InetSocketAddress> endpoints) {
    public PeerNode {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(disco, "disco");
        Objects.requireNonNull(derp, "derp");
        endpoints = List.copyOf(endpoints);
    }

    /**
     * Converts a peer update, or empty when Coder would drop it: {@code preferred_derp = 0} ("we can't reach the
     * node"), or a key or disco key that does not parse. An endpoint that does not parse is skipped on its own
     * ({@code updateFromNode}: "bogus netmap endpoint").
     */
    public static Optional<PeerNode> fromProto(Node node) {
        Optional<DerpMagicAddress> derp = DerpMagicAddress.ofPreferredDerp(node.getPreferredDerp());
        Optional<NodeKey> key = NodeKey.fromBinary(node.getKey().toByteArray());
        Optional<DiscoKey> disco = discoKey(node.getDisco());
        if (derp.isEmpty() || key.isEmpty() || disco.isEmpty()) {
            return Optional.empty();
        }
        List<InetSocketAddress> endpoints = new ArrayList<>();
        for (String text : node.getEndpointsList()) {
            AddrPorts.parse(text).ifPresent(endpoints::add);
        }
        return Optional.of(new PeerNode(key.get(), disco.get(), derp.get(), endpoints));
    }

    private static Optional<DiscoKey> discoKey(String text) {
        try {
            return Optional.of(DiscoKey.parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
