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
    /**
     * The principal (token subject) that runs this peer, or null for the server's own in-process peer. Kept on the
     * peer rather than in a map beside it, so an overwrite by a resumed connection replaces it atomically with the
     * peer and the old stream's close cannot remove the new one's entry.
     */
    final UUID owner;
    Node node;
    Instant lastWrite;
    boolean gone;
    /** Last node sent to this peer about each other peer; suppresses duplicates and gates LOST/DISCONNECTED. */
    final Map<UUID, Node> sent = new HashMap<>();

    Peer(UUID id, String name, UUID owner, Authorization authorization, PeerStream stream, Instant created,
         int overwrites) {
        this.id = id;
        this.name = name;
        this.owner = owner;
        this.authorization = authorization;
        this.stream = stream;
        this.created = created;
        this.overwrites = overwrites;
        this.lastWrite = created;
    }

    public UUID id() {
        return id;
    }

    /** Who runs this peer (null: the server itself); resume tokens are issued only to the owner. */
    public UUID owner() {
        return owner;
    }
}
