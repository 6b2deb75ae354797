package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.tailnet.disco.DiscoCodec;
import dev.switchboard.tailnet.disco.DiscoKey;
import dev.switchboard.tailnet.disco.DiscoMessage;
import dev.switchboard.tailnet.disco.DiscoPrivateKey;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.switchboard.tailnet.magicsock.AddrPortsTest.ap;
import static org.junit.jupiter.api.Assertions.*;

class DiscoDemuxTest {
    private static final DiscoPrivateKey SELF = DiscoPrivateKey.of(fill(6));
    private static final DiscoPrivateKey PEER = DiscoPrivateKey.of(fill(5));
    private static final DiscoPrivateKey STRANGER = DiscoPrivateKey.of(fill(9));
    private static final NodeKey PEER_NODE = NodeKey.of(fill(7));
    private static final NodeKey OTHER_NODE = NodeKey.of(fill(8));
    private static final InetSocketAddress SRC = ap("203.0.113.10:41641");
    private static final DerpMagicAddress REGION = new DerpMagicAddress(3);

    private final DiscoDemux demux = new DiscoDemux(SELF, new DiscoDemux.Peers() {
        private final Map<NodeKey, DiscoKey> byNode = Map.of(PEER_NODE, PEER.publicKey(),
                OTHER_NODE, DiscoPrivateKey.of(fill(4)).publicKey());

        @Override
        public boolean hasDiscoKey(DiscoKey key) {
            return byNode.containsValue(key);
        }

        @Override
        public Optional<DiscoKey> discoKeyOf(NodeKey key) {
            return Optional.ofNullable(byNode.get(key));
        }
    });

    private static byte[] fill(int b) {
        byte[] a = new byte[32];
        Arrays.fill(a, (byte) b);
        return a;
    }

    private static byte[] ping(DiscoPrivateKey from) {
        return DiscoCodec.seal(new DiscoMessage.Ping(new byte[12], PEER_NODE), from, SELF.publicKey());
    }

    @Test
    void udpWireGuardAndStunAreNotDisco() {
        byte[] handshake = new byte[148];
        handshake[0] = 1;
        var wg = assertInstanceOf(DiscoDemux.Route.WireGuard.class, demux.fromUdp(handshake, SRC));
        assertEquals(SRC, wg.udpFrom());
        assertNull(wg.derpFrom());
        // A STUN Binding success response header: type 0x0101, length 0, magic cookie 0x2112A442, TxID.
        byte[] stun = HexFormat.of().parseHex("010100002112a442" + "000102030405060708090a0b");
        assertInstanceOf(DiscoDemux.Route.Stun.class, demux.fromUdp(stun, SRC));
        byte[] shortMagic = Arrays.copyOf(ping(PEER), DiscoCodec.HEADER_LEN - 1);
        assertInstanceOf(DiscoDemux.Route.WireGuard.class, demux.fromUdp(shortMagic, SRC),
                "LooksLikeDiscoWrapper needs magic, key and nonce");
    }

    @Test
    void discoFromAKnownPeerIsOpened() {
        var d = assertInstanceOf(DiscoDemux.Route.Disco.class, demux.fromUdp(ping(PEER), SRC));
        assertEquals(PEER.publicKey(), d.sender());
        assertInstanceOf(DiscoMessage.Ping.class, d.message());
        assertEquals(SRC, d.src());
        var viaDerp = assertInstanceOf(DiscoDemux.Route.Disco.class, demux.fromDerp(ping(PEER), REGION, PEER_NODE));
        assertEquals(REGION.toSocketAddress(), viaDerp.src(), "a DERP source is the region's magic address");
        assertEquals(PEER_NODE, viaDerp.derpFrom());
    }

    @Test
    void unknownSendersAndBadBoxesAreDroppedAndCountedNeverWireGuard() {
        assertEquals(new DiscoDemux.Route.Dropped(DiscoDemux.DropReason.UNKNOWN_SENDER), demux.fromUdp(ping(STRANGER), SRC));
        assertEquals(new DiscoDemux.Route.Dropped(DiscoDemux.DropReason.UNKNOWN_SENDER),
                demux.fromDerp(ping(STRANGER), REGION, PEER_NODE));
        assertEquals(2, demux.dropped(DiscoDemux.DropReason.UNKNOWN_SENDER));
        byte[] corrupt = ping(PEER);
        corrupt[corrupt.length - 1] ^= 1;
        assertEquals(new DiscoDemux.Route.Dropped(DiscoDemux.DropReason.BAD_BOX), demux.fromUdp(corrupt, SRC));
        assertEquals(1, demux.dropped(DiscoDemux.DropReason.BAD_BOX));
    }

    @Test
    void callMeMaybeOnlyViaDerpFromItsOwnPeer() {
        byte[] cmm = DiscoCodec.seal(new DiscoMessage.CallMeMaybe(List.of(SRC)), PEER, SELF.publicKey());
        assertEquals(new DiscoDemux.Route.Dropped(DiscoDemux.DropReason.CALL_ME_MAYBE_NOT_VIA_DERP), demux.fromUdp(cmm, SRC));
        assertEquals(new DiscoDemux.Route.Dropped(DiscoDemux.DropReason.CALL_ME_MAYBE_WRONG_PEER),
                demux.fromDerp(cmm, REGION, OTHER_NODE));
        var ok = assertInstanceOf(DiscoDemux.Route.Disco.class, demux.fromDerp(cmm, REGION, PEER_NODE));
        assertEquals(List.of(SRC), ((DiscoMessage.CallMeMaybe) ok.message()).endpoints());
    }

    @Test
    void derpWireGuardComesFromTheSourceNodeKey() {
        byte[] data = new byte[64];
        data[0] = 4;
        var wg = assertInstanceOf(DiscoDemux.Route.WireGuard.class, demux.fromDerp(data, REGION, PEER_NODE));
        assertEquals(PEER_NODE, wg.derpFrom());
        assertNull(wg.udpFrom());
    }
}
