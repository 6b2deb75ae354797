package dev.switchboard.coordinator;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The owner travels with the peer: resume-token issuance asks the coordinator, not a map beside it. */
class PeerOwnerTest {
    private final Coordinator coordinator = new Coordinator(Clock.systemUTC());
    private final UUID peerId = UUID.randomUUID();
    private final UUID user = UUID.randomUUID();
    private final UUID agent = UUID.randomUUID();

    @Test
    void ownerIsKnownWhileConnectedOnly() throws Exception {
        Peer peer = coordinator.connect(peerId, "c", user, Authorizations.client(agent), new CoordinatorTest.Stream());
        assertEquals(user, peer.owner());
        assertTrue(coordinator.isConnectedAndOwnedBy(peerId, user));
        assertFalse(coordinator.isConnectedAndOwnedBy(peerId, UUID.randomUUID()));
        assertFalse(coordinator.isConnectedAndOwnedBy(peerId, null));
        coordinator.lost(peer);
        assertFalse(coordinator.isConnectedAndOwnedBy(peerId, user));
    }

    @Test
    void theOverwrittenStreamEndingDoesNotDropTheResumedPeersOwner() throws Exception {
        Peer old = coordinator.connect(peerId, "c", user, Authorizations.client(agent), new CoordinatorTest.Stream());
        coordinator.connect(peerId, "c", user, Authorizations.client(agent), new CoordinatorTest.Stream());
        coordinator.lost(old); // the old socket's close handler runs after the overwrite
        assertTrue(coordinator.isConnectedAndOwnedBy(peerId, user));
    }

    @Test
    void theServersOwnPeerHasNoOwner() throws Exception {
        Peer peer = coordinator.connect(peerId, "coderd", Authorizations.singleTailnet(), new CoordinatorTest.Stream());
        assertEquals(null, peer.owner());
        assertFalse(coordinator.isConnectedAndOwnedBy(peerId, user));
    }
}
