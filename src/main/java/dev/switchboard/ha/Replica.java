package dev.switchboard.ha;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One row of {@code replicas}: a Switchboard process sharing the database, as last written by its heartbeat. */
public record Replica(UUID id, String hostname, String relayUrl, int regionId, String version,
                      OffsetDateTime startedAt, OffsetDateTime updatedAt, String error) {

    /** What a replica writes about itself on every beat. */
    public record Self(UUID id, String hostname, URI relayUrl, int regionId, String version) {
    }

    /** A mesh peer in Coder's sense: same region and a relay address to dial. */
    public boolean isMeshPeerOf(Self self) {
        return regionId == self.regionId() && relayUrl != null && !relayUrl.isBlank();
    }
}
