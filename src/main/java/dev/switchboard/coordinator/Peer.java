package dev.switchboard.coordinator;

import dev.switchboard.coordinator.proto.Node;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** A connected peer as the coordinator sees it. Guarded by the coordinator lock (except the immutable fields). */
public final class Peer {
    final UUID id;
    final String name;
    final Authorization authorization;
    final PeerStream stream;
    final Instant created;
    final int overwrites;
    Node node;
    Instant lastWrite;
    boolean gone;
    /** Last node sent to this peer about each other peer; suppresses duplicates and gates LOST/DISCONNECTED. */
    final Map<UUID, Node> sent = new HashMap<>();

    Peer(UUID id, String name, Authorization authorization, PeerStream stream, Instant created, int overwrites) {
        this.id = id;
        this.name = name;
        this.authorization = authorization;
        this.stream = stream;
        this.created = created;
        this.overwrites = overwrites;
        this.lastWrite = created;
    }

    public UUID id() {
        return id;
    }
}
