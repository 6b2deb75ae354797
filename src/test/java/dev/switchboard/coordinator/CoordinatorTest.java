package dev.switchboard.coordinator;

import dev.switchboard.coordinator.proto.CoordinateRequest;
import dev.switchboard.coordinator.proto.CoordinateResponse;
import dev.switchboard.coordinator.proto.CoordinateResponse.PeerUpdate;
import dev.switchboard.coordinator.proto.Node;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Coordinator semantics (Coder's `tailnet/coordinator.go`) with in-memory streams. */
class CoordinatorTest {
    private final Coordinator coordinator = new Coordinator(Clock.systemUTC());
    private final UUID agentId = UUID.fromString("3f1e6f1a-2b3c-4d5e-8f90-0123456789ab");
    private final UUID clientId = UUID.randomUUID();

    /** Records responses; a capacity makes it a slow peer. */
    static final class Stream implements PeerStream {
        final List<CoordinateResponse> responses = new ArrayList<>();
        final int capacity;
        String closedWith;
        boolean closed;

        Stream(int capacity) {
            this.capacity = capacity;
        }

        Stream() {
            this(RESPONSE_BUFFER);
        }

        @Override
        public boolean offer(CoordinateResponse response) {
            if (responses.size() >= capacity) {
                return false;
            }
            responses.add(response);
            return true;
        }

        @Override
        public void close(String error) {
            closed = true;
            closedWith = error;
        }

        List<PeerUpdate> updates() {
            return responses.stream().flatMap(r -> r.getPeerUpdatesList().stream()).toList();
        }

        PeerUpdate last() {
            List<PeerUpdate> all = updates();
            return all.get(all.size() - 1);
        }
    }

    static Node node(int id, String address) {
        return Node.newBuilder().setId(id).setPreferredDerp(999).addAddresses(address).build();
    }

    private String agentAddress() {
        return "fd7a:115c:a1e0:4d5e:8f90:123:4567:89ab/128";
    }

    static CoordinateRequest updateSelf(Node node) {
        return CoordinateRequest.newBuilder()
                .setUpdateSelf(CoordinateRequest.UpdateSelf.newBuilder().setNode(node)).build();
    }

    static CoordinateRequest addTunnel(UUID dst) {
        return CoordinateRequest.newBuilder()
                .setAddTunnel(CoordinateRequest.Tunnel.newBuilder().setId(Uuids.bytes(dst))).build();
    }

    static CoordinateRequest removeTunnel(UUID dst) {
        return CoordinateRequest.newBuilder()
                .setRemoveTunnel(CoordinateRequest.Tunnel.newBuilder().setId(Uuids.bytes(dst))).build();
    }

    static CoordinateRequest readyForHandshake(UUID dst) {
        return CoordinateRequest.newBuilder().addReadyForHandshake(
                CoordinateRequest.ReadyForHandshake.newBuilder().setId(Uuids.bytes(dst))).build();
    }

    static CoordinateRequest disconnect() {
        return CoordinateRequest.newBuilder().setDisconnect(CoordinateRequest.Disconnect.getDefaultInstance()).build();
    }

    @Test
    void agentAndClientExchangeNodesBothWaysAndDuplicatesAreSuppressed() throws Exception {
        Stream agentStream = new Stream();
        Stream clientStream = new Stream();
        Peer agent = coordinator.connect(agentId, "agent", Authorizations.agent(agentId), agentStream);
        Peer client = coordinator.connect(clientId, "client", Authorizations.client(agentId), clientStream);
        coordinator.handle(agent, updateSelf(node(1, agentAddress())));
        coordinator.handle(client, updateSelf(node(2, "fd7a:115c:a1e0::2/128")));
        coordinator.handle(client, addTunnel(agentId));

        assertEquals(PeerUpdate.Kind.NODE, clientStream.last().getKind());
        assertEquals(1, clientStream.last().getNode().getId());
        assertEquals("add tunnel", clientStream.last().getReason());
        assertEquals(2, agentStream.last().getNode().getId());

        int before = clientStream.updates().size();
        coordinator.handle(agent, updateSelf(node(1, agentAddress())));
        assertEquals(before, clientStream.updates().size(), "unchanged node is not re-sent");
        coordinator.handle(agent, updateSelf(node(1, agentAddress()).toBuilder().addEndpoints("1.2.3.4:5").build()));
        assertEquals("node update", clientStream.last().getReason());
    }

    @Test
    void readyForHandshakeIsForwardedOnlyAlongATunnel() throws Exception {
        Stream agentStream = new Stream();
        Stream clientStream = new Stream();
        Peer agent = coordinator.connect(agentId, "agent", Authorizations.agent(agentId), agentStream);
        Peer client = coordinator.connect(clientId, "client", Authorizations.client(agentId), clientStream);
        coordinator.handle(agent, readyForHandshake(clientId));
        assertEquals("ready for handshake error: you do not share a tunnel with \"" + clientId + "\"",
                agentStream.responses.get(agentStream.responses.size() - 1).getError());
        assertFalse(agentStream.closed, "not fatal");

        coordinator.handle(client, addTunnel(agentId));
        coordinator.handle(agent, readyForHandshake(clientId));
        PeerUpdate rfh = clientStream.last();
        assertEquals(PeerUpdate.Kind.READY_FOR_HANDSHAKE, rfh.getKind());
        assertEquals(agentId, Uuids.uuid(rfh.getId()));
        assertFalse(rfh.hasNode());
    }

    @Test
    void removeTunnelDisconnectsBothSides() throws Exception {
        Stream agentStream = new Stream();
        Stream clientStream = new Stream();
        Peer agent = coordinator.connect(agentId, "agent", Authorizations.agent(agentId), agentStream);
        Peer client = coordinator.connect(clientId, "client", Authorizations.client(agentId), clientStream);
        coordinator.handle(agent, updateSelf(node(1, agentAddress())));
        coordinator.handle(client, updateSelf(node(2, "fd7a:115c:a1e0::2/128")));
        coordinator.handle(client, addTunnel(agentId));
        coordinator.handle(client, removeTunnel(agentId));
        assertEquals(PeerUpdate.Kind.DISCONNECTED, clientStream.last().getKind());
        assertEquals("remove tunnel", clientStream.last().getReason());
        assertEquals(PeerUpdate.Kind.DISCONNECTED, agentStream.last().getKind());
        assertTrue(coordinator.snapshot().tunnels().isEmpty());
    }

    @Test
    void gracefulDisconnectIsDisconnectedAndADroppedStreamIsLost() throws Exception {
        Stream agentStream = new Stream();
        Peer agent = coordinator.connect(agentId, "agent", Authorizations.agent(agentId), agentStream);
        coordinator.handle(agent, updateSelf(node(1, agentAddress())));

        Stream first = new Stream();
        Peer client = coordinator.connect(clientId, "c", Authorizations.client(agentId), first);
        coordinator.handle(client, updateSelf(node(2, "fd7a:115c:a1e0::2/128")));
        coordinator.handle(client, addTunnel(agentId));
        coordinator.lost(client);
        assertEquals(PeerUpdate.Kind.LOST, agentStream.last().getKind());
        assertTrue(first.closed);

        UUID second = UUID.randomUUID();
        Stream secondStream = new Stream();
        Peer other = coordinator.connect(second, "c2", Authorizations.client(agentId), secondStream);
        coordinator.handle(other, updateSelf(node(3, "fd7a:115c:a1e0::3/128")));
        coordinator.handle(other, addTunnel(agentId));
        coordinator.handle(other, disconnect());
        assertEquals(PeerUpdate.Kind.DISCONNECTED, agentStream.last().getKind());
        assertEquals("graceful disconnect", agentStream.last().getReason());
        assertTrue(secondStream.closed);
        assertNull(secondStream.closedWith);
    }

    @Test
    void neverLostOrDisconnectedAboutAPeerNeverSent() throws Exception {
        Stream agentStream = new Stream();
        coordinator.connect(agentId, "agent", Authorizations.agent(agentId), agentStream);
        Peer client = coordinator.connect(clientId, "c", Authorizations.client(agentId), new Stream());
        coordinator.handle(client, addTunnel(agentId)); // the client never sent a node
        coordinator.lost(client);
        assertTrue(agentStream.updates().isEmpty());
    }

    @Test
    void reconnectOverwritesTheOldStreamAndSendsInitNodes() throws Exception {
        Stream clientStream = new Stream();
        Peer client = coordinator.connect(clientId, "c", Authorizations.client(agentId), clientStream);
        coordinator.handle(client, updateSelf(node(2, "fd7a:115c:a1e0::2/128")));
        coordinator.handle(client, addTunnel(agentId));

        Stream oldAgent = new Stream();
        coordinator.connect(agentId, "agent", Authorizations.agent(agentId), oldAgent);
        Stream newAgent = new Stream();
        Peer agent = coordinator.connect(agentId, "agent", Authorizations.agent(agentId), newAgent);
        assertEquals("peer ID overwritten by new connection", oldAgent.closedWith);
        assertEquals(1, newAgent.responses.size(), "one batched init response");
        assertEquals("init", newAgent.last().getReason());
        assertEquals(2, newAgent.last().getNode().getId());
        assertEquals(1, coordinator.snapshot().peers().stream().filter(p -> p.id().equals(agentId))
                .findFirst().orElseThrow().overwrites());

        coordinator.handle(agent, updateSelf(node(1, agentAddress())));
        assertEquals(1, clientStream.last().getNode().getId(), "the tunnel survived the overwrite");
    }

    @Test
    void aPeerThatCannotKeepUpIsEvictedWithFailedUpdate() throws Exception {
        Stream agentStream = new Stream();
        Peer agent = coordinator.connect(agentId, "agent", Authorizations.agent(agentId), agentStream);
        coordinator.handle(agent, updateSelf(node(1, agentAddress())));
        Stream slow = new Stream(2);
        Peer client = coordinator.connect(clientId, "slow", Authorizations.client(agentId), slow);
        coordinator.handle(client, updateSelf(node(2, "fd7a:115c:a1e0::2/128")));
        coordinator.handle(client, addTunnel(agentId));
        for (int i = 0; i < 5; i++) {
            coordinator.handle(agent, updateSelf(node(1, agentAddress()).toBuilder().setPreferredDerp(i).build()));
        }
        assertTrue(slow.closed);
        assertEquals("failed update", slow.closedWith);
        assertEquals(PeerUpdate.Kind.DISCONNECTED, agentStream.last().getKind());
        assertEquals("failed update", agentStream.last().getReason());
        assertFalse(coordinator.isConnected(clientId));
    }

    @Test
    void authorizationRulesAndTheirErrorStrings() throws Exception {
        Peer agent = coordinator.connect(agentId, "agent", Authorizations.agent(agentId), new Stream());
        assertError("authorization: agents cannot open tunnels", agent, addTunnel(clientId));
        assertError("authorization: invalid address bits, expected 128, got 64", agent,
                updateSelf(node(1, "fd7a:115c:a1e0:4d5e::/64")));
        assertError("authorization: invalid node address, got fd7a:115c:a1e0::99/128", agent,
                updateSelf(node(1, "fd7a:115c:a1e0::99/128")));
        coordinator.handle(agent, updateSelf(node(1, "fd60:627a:a42b:4d5e:8f90:123:4567:89ab/128")));
        coordinator.handle(agent, updateSelf(node(1, "fd7a:115c:a1e0:49d6:b259:b7ac:b1b2:48f4/128")));

        Peer client = coordinator.connect(clientId, "c", Authorizations.client(agentId), new Stream());
        UUID other = UUID.randomUUID();
        assertError("authorization: invalid agent id, expected " + agentId + ", got " + other, client,
                addTunnel(other));
        assertError("authorization: clients may not send ready_for_handshake", client, readyForHandshake(agentId));
        assertError("authorization: invalid address bits, expected 128, got 48", client,
                updateSelf(node(2, "fd7a:115c:a1e0::/48")));

        Peer user = coordinator.connect(UUID.randomUUID(), "u", Authorizations.userClient(UUID.randomUUID(),
                Set.of(agentId)), new Stream());
        coordinator.handle(user, addTunnel(agentId));
        assertError("authorization: workspace agent not found or you do not have permission", user, addTunnel(other));
        Peer admin = coordinator.connect(UUID.randomUUID(), "a", Authorizations.userClient(UUID.randomUUID(), null),
                new Stream());
        coordinator.handle(admin, addTunnel(other));
    }

    @Test
    void invalidRequestsChangeNothing() throws Exception {
        Peer client = coordinator.connect(clientId, "c", Authorizations.client(agentId), new Stream());
        CoordinateRequest noNode = CoordinateRequest.newBuilder()
                .setUpdateSelf(CoordinateRequest.UpdateSelf.getDefaultInstance())
                .setAddTunnel(CoordinateRequest.Tunnel.newBuilder().setId(Uuids.bytes(agentId))).build();
        assertError("update_self node is required", client, noNode);
        CoordinateRequest shortId = CoordinateRequest.newBuilder().setAddTunnel(CoordinateRequest.Tunnel.newBuilder()
                .setId(com.google.protobuf.ByteString.copyFrom(new byte[5]))).build();
        assertThrows(CoordinationException.class, () -> coordinator.handle(client, shortId));
        // Authorization is checked for the whole message before any effect.
        CoordinateRequest mixed = addTunnel(agentId).toBuilder().addReadyForHandshake(
                CoordinateRequest.ReadyForHandshake.newBuilder().setId(Uuids.bytes(agentId))).build();
        assertThrows(CoordinationException.class, () -> coordinator.handle(client, mixed));
        assertTrue(coordinator.snapshot().tunnels().isEmpty());
        coordinator.handle(client, CoordinateRequest.getDefaultInstance());
        coordinator.handle(client, updateSelf(Node.getDefaultInstance()));
    }

    @Test
    void closeMarksEveryoneLostAndRefusesNewPeers() throws Exception {
        Stream agentStream = new Stream();
        Peer agent = coordinator.connect(agentId, "agent", Authorizations.agent(agentId), agentStream);
        Stream clientStream = new Stream();
        Peer client = coordinator.connect(clientId, "c", Authorizations.client(agentId), clientStream);
        coordinator.handle(agent, updateSelf(node(1, agentAddress())));
        coordinator.handle(client, updateSelf(node(2, "fd7a:115c:a1e0::2/128")));
        coordinator.handle(client, addTunnel(agentId));
        coordinator.close();
        assertEquals("coordinator closed", agentStream.closedWith);
        assertEquals("coordinator closed", clientStream.closedWith);
        assertTrue(clientStream.updates().stream().anyMatch(u -> u.getKind() == PeerUpdate.Kind.LOST)
                || agentStream.updates().stream().anyMatch(u -> u.getKind() == PeerUpdate.Kind.LOST));
        assertTrue(clientStream.updates().stream().noneMatch(u -> u.getKind() == PeerUpdate.Kind.DISCONNECTED));
        assertEquals("coordinator closed", assertThrows(CoordinationException.class,
                () -> coordinator.connect(UUID.randomUUID(), "x", Authorizations.singleTailnet(), new Stream()))
                .getMessage());
    }

    private void assertError(String expected, Peer peer, CoordinateRequest request) {
        assertEquals(expected, assertThrows(CoordinationException.class, () -> coordinator.handle(peer, request))
                .getMessage());
    }

    @Test
    void addressFromUuidMatchesTheSpecExample() {
        assertEquals("fd7a:115c:a1e0:4d5e:8f90:123:4567:89ab", io.netty.util.NetUtil.bytesToIpAddress(
                TailnetAddresses.fromUuid(TailnetAddresses.TAILSCALE_PREFIX, agentId)));
        assertEquals("fd60:627a:a42b:4d5e:8f90:123:4567:89ab", io.netty.util.NetUtil.bytesToIpAddress(
                TailnetAddresses.fromUuid(TailnetAddresses.CODER_PREFIX, agentId)));
    }
}
