package dev.switchboard.ha;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.switchboard.coordinator.RemotePeer;
import dev.switchboard.coordinator.proto.Node;

import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * pgcoord's best mapping per remote peer ({@code enterprise/tailnet/pgcoord.go}, querier): a peer may have a row
 * under several coordinators (it reconnected elsewhere); rows of an expired coordinator count as LOST (not dropped:
 * it may be the only one); a known node beats a lost one; among equals the newest {@code updated_at} wins.
 */
final class BestMapping {
    private BestMapping() {
    }

    /**
     * The view of each of {@code lookups} (empty when nothing is bound to it any more). A row whose node does not
     * parse is dropped and counted in {@code badNodes}.
     */
    static Map<UUID, Map<UUID, RemotePeer>> of(Collection<UUID> lookups, List<CoordinatorStore.Binding> rows,
                                              LongAdder badNodes) {
        Map<UUID, Map<UUID, Candidate>> best = new HashMap<>();
        Map<UUID, Map<UUID, Boolean>> inbound = new HashMap<>();
        for (CoordinatorStore.Binding row : rows) {
            inbound.computeIfAbsent(row.lookup(), k -> new HashMap<>()).merge(row.other(), row.inbound(), Boolean::logicalOr);
            if (row.node() == null) {
                continue; // a tunnel to a peer that never sent a node, or whose rows are gone
            }
            Node node;
            try {
                node = Node.parseFrom(row.node());
            } catch (InvalidProtocolBufferException e) {
                badNodes.increment();
                continue;
            }
            Candidate candidate = new Candidate(node, row.ok() && row.alive(), row.updatedAt());
            best.computeIfAbsent(row.lookup(), k -> new HashMap<>()).merge(row.other(), candidate, BestMapping::better);
        }
        Map<UUID, Map<UUID, RemotePeer>> out = new HashMap<>();
        for (UUID lookup : lookups) {
            Map<UUID, RemotePeer> view = new HashMap<>();
            best.getOrDefault(lookup, Map.of()).forEach((other, c) -> view.put(other,
                    new RemotePeer(c.node(), !c.known(), inbound.get(lookup).get(other))));
            out.put(lookup, view);
        }
        return out;
    }

    private static Candidate better(Candidate a, Candidate b) {
        if (a.known() != b.known()) {
            return a.known() ? a : b;
        }
        return b.updatedAt().isAfter(a.updatedAt()) ? b : a;
    }

    private record Candidate(Node node, boolean known, OffsetDateTime updatedAt) {
    }
}
