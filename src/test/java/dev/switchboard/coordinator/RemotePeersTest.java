package dev.switchboard.coordinator;

import dev.switchboard.coordinator.CoordinatorTest.Stream;
import dev.switchboard.coordinator.proto.CoordinateResponse.PeerUpdate;
import dev.switchboard.coordinator.proto.Node;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.switchboard.coordinator.CoordinatorTest.addTunnel;
import static dev.switchboard.coordinator.CoordinatorTest.disconnect;
import static dev.switchboard.coordinator.CoordinatorTest.node;
import static dev.switchboard.coordinator.CoordinatorTest.readyForHandshake;
import static dev.switchboard.coordinator.CoordinatorTest.removeTunnel;
import static dev.switchboard.coordinator.CoordinatorTest.updateSelf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coordinator's rules for tunnel peers on other replicas, with a recording {@link Replication}. */
class RemotePeersTest {
    private final Coordinator coordinator = new Coordinator(Clock.systemUTC());
    private final UUID agentId = UUID.randomUUID();
    private final UUID remoteClient = UUID.randomUUID();
    private final List<String> replicated = new ArrayList<>();

    {
        coordinator.replicateWith(new Replication() {
            @Override
            public void changed(UUID id, Node node, boolean lost, Set<UUID> tunnels) {
                replicated.add((lost ? "lost " : "changed ") + (node == null ? "-" : node.getId()) + " " + tunnels.size());
            }

            @Override
            public void disconnected(UUID id) {
                replicated.add("disconnected");
            }

            @Override
            public void connected(UUID id) {
                replicated.add("connected");
            }

            @Override
            public void readyForHandshake(UUID src, UUID dst) {
                replicated.add("rfh " + dst);
            }
        });
    }

    private static RemotePeer inbound(int nodeId, boolean lost) {
        return new RemotePeer(node(nodeId, "fd7a:115c:a1e0::9/128"), lost, true);
    }

    @Test
    void aRemotePeersNodeIsNewThenUpdateThenLostThenFoundThenDisconnected() throws Exception {
        Stream stream = new Stream();
        Peer agent = coordinator.connect(agentId, "agent", Authorizations.agent(agentId), stream);
        coordinator.shared().applyRemote(agentId, Map.of(remoteClient, inbound(2, false)));
        assertEquals("new", stream.last().getReason());
        coordinator.shared().applyRemote(agentId, Map.of(remoteClient, inbound(2, false)));
        assertEquals(1, stream.updates().size(), "unchanged: not sent again");
        coordinator.shared().applyRemote(agentId, Map.of(remoteClient, inbound(3, false)));
        assertEquals("update", stream.last().getReason());
        coordinator.shared().applyRemote(agentId, Map.of(remoteClient, inbound(3, true)));
        assertEquals(PeerUpdate.Kind.LOST, stream.last().getKind());
        coordinator.shared().applyRemote(agentId, Map.of(remoteClient, inbound(3, false)));
        assertEquals("found", stream.last().getReason());
        coordinator.shared().applyRemote(agentId, Map.of());
        assertEquals(PeerUpdate.Kind.DISCONNECTED, stream.last().getKind());
        assertEquals("disconnected", stream.last().getReason());

        coordinator.handle(agent, readyForHandshake(remoteClient));
        assertTrue(stream.responses.getLast().getError().startsWith("ready for handshake error"), "no tunnel any more");
        coordinator.shared().applyRemote(agentId, Map.of(remoteClient, inbound(3, false)));
        coordinator.handle(agent, readyForHandshake(remoteClient));
        assertEquals("rfh " + remoteClient, replicated.getLast(), "handed to the replica of the client");
    }

    @Test
    void anOwnTunnelToARemotePeerCountsOnlyWhileItExists() throws Exception {
        UUID remoteAgent = UUID.randomUUID();
        Stream stream = new Stream();
        Peer client = coordinator.connect(remoteClient, "c", Authorizations.client(remoteAgent), stream);
        RemotePeer outbound = new RemotePeer(node(1, "fd7a:115c:a1e0::1/128"), false, false);
        coordinator.shared().applyRemote(remoteClient, Map.of(remoteAgent, outbound));
        assertTrue(stream.updates().isEmpty(), "no tunnel yet: a stale read");
        coordinator.handle(client, addTunnel(remoteAgent));
        assertEquals(Map.of(remoteClient, Set.of(remoteAgent)), coordinator.shared().remoteDestinations(List.of(remoteClient)));
        coordinator.shared().applyRemote(remoteClient, Map.of(remoteAgent, outbound));
        assertEquals(PeerUpdate.Kind.NODE, stream.last().getKind());
        assertEquals(Set.of(remoteClient), coordinator.shared().interestedIn(remoteAgent));

        coordinator.handle(client, removeTunnel(remoteAgent));
        assertEquals(PeerUpdate.Kind.DISCONNECTED, stream.last().getKind());
        assertEquals("remove tunnel", stream.last().getReason());
        assertEquals(List.of("connected", "changed - 1", "changed - 0"), replicated);
    }

    @Test
    void localPeersAreReplicatedAsChangedLostOrDisconnected() throws Exception {
        Peer agent = coordinator.connect(agentId, "agent", Authorizations.agent(agentId), new Stream());
        coordinator.handle(agent, updateSelf(node(1, TailnetAddresses.agentAddress(agentId))));
        coordinator.lost(agent);
        Peer again = coordinator.connect(agentId, "agent", Authorizations.agent(agentId), new Stream());
        coordinator.handle(again, disconnect());
        assertEquals(List.of("connected", "changed 1 0", "lost 1 0", "connected", "disconnected"), replicated);
    }

    @Test
    void announcedNodeKeysAreThoseOfLocalPeersAndOfTheirRemoteTunnelPeers() throws Exception {
        com.google.protobuf.ByteString local = com.google.protobuf.ByteString.copyFromUtf8("np" + "a".repeat(32));
        com.google.protobuf.ByteString elsewhere = com.google.protobuf.ByteString.copyFromUtf8("np" + "b".repeat(32));
        Peer agent = coordinator.connect(agentId, "agent", Authorizations.agent(agentId), new Stream());
        assertTrue(!coordinator.announced(local), "no node yet");
        coordinator.handle(agent, updateSelf(node(1, TailnetAddresses.agentAddress(agentId)).toBuilder().setKey(local)
                .build()));
        coordinator.shared().applyRemote(agentId, Map.of(remoteClient, new RemotePeer(node(2, "fd7a:115c:a1e0::2/128")
                .toBuilder().setKey(elsewhere).build(), false, true)));
        assertTrue(coordinator.announced(local) && coordinator.announced(elsewhere));
        coordinator.lost(agent);
        assertTrue(!coordinator.announced(local) && !coordinator.announced(elsewhere), "gone with the peer");
    }

    @Test
    void refusingEndsEveryStreamUntilAccepted() throws Exception {
        Stream stream = new Stream();
        coordinator.connect(agentId, "agent", Authorizations.agent(agentId), stream);
        coordinator.refuse("coordinator unhealthy");
        assertEquals("coordinator unhealthy", stream.closedWith);
        assertEquals("coordinator unhealthy", assertThrows(CoordinationException.class,
                () -> coordinator.connect(agentId, "agent", Authorizations.agent(agentId), new Stream())).getMessage());
        assertEquals(java.util.Optional.of("coordinator unhealthy"), coordinator.refusal());
        coordinator.accept();
        coordinator.connect(agentId, "agent", Authorizations.agent(agentId), new Stream());
        coordinator.close();
        coordinator.accept();
        assertEquals(java.util.Optional.of("coordinator closed"), coordinator.refusal(), "closed stays closed");
    }
}
