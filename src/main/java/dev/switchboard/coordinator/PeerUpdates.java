package dev.switchboard.coordinator;

import dev.switchboard.coordinator.proto.CoordinateResponse;
import dev.switchboard.coordinator.proto.CoordinateResponse.PeerUpdate;
import dev.switchboard.coordinator.proto.Node;

import java.util.UUID;

/** Builders for CoordinateResponse messages, and UUID ↔ 16-byte conversions. */
final class PeerUpdates {
    static final String INIT = "init";
    static final String NODE_UPDATE = "node update";
    static final String ADD_TUNNEL = "add tunnel";
    static final String REMOVE_TUNNEL = "remove tunnel";
    static final String GRACEFUL_DISCONNECT = "graceful disconnect";
    static final String FAILED_UPDATE = "failed update";
    static final String COORDINATOR_CLOSE = "coordinator close";
    static final String LOST = "lost";
    /** The reasons of pgcoord's mapping diff (enterprise/tailnet/pgcoord.go), for peers on other replicas. */
    static final String NEW = "new";
    static final String FOUND = "found";
    static final String UPDATE = "update";
    static final String DISCONNECTED = "disconnected";

    private PeerUpdates() {
    }

    static PeerUpdate node(UUID id, Node node, String reason) {
        return PeerUpdate.newBuilder().setId(Uuids.bytes(id)).setNode(node).setKind(PeerUpdate.Kind.NODE)
                .setReason(reason).build();
    }

    static PeerUpdate kind(UUID id, PeerUpdate.Kind kind, String reason) {
        return PeerUpdate.newBuilder().setId(Uuids.bytes(id)).setKind(kind).setReason(reason).build();
    }

    static CoordinateResponse of(PeerUpdate update) {
        return CoordinateResponse.newBuilder().addPeerUpdates(update).build();
    }

    static CoordinateResponse error(String error) {
        return CoordinateResponse.newBuilder().setError(error).build();
    }
}
