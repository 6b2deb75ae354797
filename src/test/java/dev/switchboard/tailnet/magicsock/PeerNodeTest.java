package dev.switchboard.tailnet.magicsock;

import com.google.protobuf.ByteString;
import dev.switchboard.coordinator.proto.Node;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.tailnet.disco.DiscoKey;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.switchboard.tailnet.magicsock.AddrPortsTest.ap;
import static org.junit.jupiter.api.Assertions.*;

class PeerNodeTest {
    private static byte[] fill(int b) {
        byte[] a = new byte[32];
        Arrays.fill(a, (byte) b);
        return a;
    }

    private static Node.Builder node() {
        return Node.newBuilder().setKey(ByteString.copyFromUtf8("np").concat(ByteString.copyFrom(fill(1))))
                .setDisco(DiscoKey.of(fill(2)).toString()).setPreferredDerp(999)
                .addEndpoints("203.0.113.10:41641").addEndpoints("bogus").addEndpoints("[2001:db8::1]:41641");
    }

    @Test
    void convertsAsConfigmapsDoes() {
        PeerNode n = PeerNode.fromProto(node().build()).orElseThrow();
        assertEquals(NodeKey.of(fill(1)), n.key());
        assertEquals(DiscoKey.of(fill(2)), n.disco());
        assertEquals(new DerpMagicAddress(999), n.derp());
        assertEquals(List.of(ap("203.0.113.10:41641"), ap("[2001:db8::1]:41641")), n.endpoints(), "bogus skipped");
    }

    @Test
    void dropsUpdatesCoderDrops() {
        assertTrue(PeerNode.fromProto(node().setPreferredDerp(0).build()).isEmpty(), "no preferred DERP");
        assertTrue(PeerNode.fromProto(node().setKey(ByteString.copyFrom(fill(1))).build()).isEmpty(), "no np prefix");
        assertTrue(PeerNode.fromProto(node().setDisco("").build()).isEmpty());
        assertTrue(PeerNode.fromProto(node().setDisco("discokey:zz").build()).isEmpty());
    }
}
