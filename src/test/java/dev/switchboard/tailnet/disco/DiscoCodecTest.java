package dev.switchboard.tailnet.disco;

import dev.switchboard.derp.NodeKey;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class DiscoCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final DiscoPrivateKey SENDER = DiscoPrivateKey.of(fill(5));
    private static final DiscoPrivateKey RECEIVER = DiscoPrivateKey.of(fill(6));

    private static byte[] fill(int b) {
        byte[] a = new byte[32];
        Arrays.fill(a, (byte) b);
        return a;
    }

    private static byte[] seq(int start, int len) {
        byte[] a = new byte[len];
        for (int i = 0; i < len; i++) {
            a[i] = (byte) (start + i);
        }
        return a;
    }

    @Test
    void pingKnownAnswer() {
        assertEquals("e604d3ad2dcb2d8ab243f323b700fe573c4fd51d46bea57083585e2170a30a84",
                HEX.formatHex(SENDER.sharedKey(RECEIVER.publicKey())));
        var ping = new DiscoMessage.Ping(seq(0xa0, 12), NodeKey.of(fill(7)));
        byte[] packet = DiscoCodec.seal(ping, SENDER, RECEIVER.publicKey(), seq(0, 24));
        assertEquals("5453f09f92ac50a61409b1ddd0325e9b16b700e719e9772c07000b1bd7786e907c653d20495d000102030405060708090a0b0c0d0e0f1011121314151617"
                + "19d145aaf05954f955c97f9ee8f48d32f36b5a8488ef7b91b0798231daca1471fc178cbb549f69960e95ce6f29873ac7ab7abe7bcb06846d0d7712fe888b",
                HEX.formatHex(packet));
        var opened = assertInstanceOf(DiscoCodec.Opened.Message.class, DiscoCodec.open(packet, RECEIVER));
        assertEquals(SENDER.publicKey(), opened.sender());
        assertEquals(ping, opened.message());
    }

    @Test
    void pongAndCallMeMaybeRoundTrip() {
        var pong = new DiscoMessage.Pong(seq(1, 12), new InetSocketAddress("1.2.3.4", 41641));
        byte[] enc = pong.encode();
        assertEquals("00000000000000000000ffff01020304a2a9", HEX.formatHex(enc, 14, 32));
        var o = (DiscoCodec.Opened.Message) DiscoCodec.open(DiscoCodec.seal(pong, SENDER, RECEIVER.publicKey()), RECEIVER);
        assertEquals(pong, o.message());
        var cmm = new DiscoMessage.CallMeMaybe(List.of(new InetSocketAddress("10.0.0.1", 1),
                new InetSocketAddress("2001:db8::1", 65535)));
        assertEquals(cmm, DiscoMessage.parse(cmm.encode()).orElseThrow());
    }

    @Test
    void lenientAndStrictParsing() {
        byte[] padded = Arrays.copyOf(new DiscoMessage.Ping(seq(0, 12), NodeKey.of(fill(7))).encode(), 200);
        assertEquals(NodeKey.of(fill(7)), ((DiscoMessage.Ping) DiscoMessage.parse(padded).orElseThrow()).nodeKey());
        byte[] old = Arrays.copyOf(padded, 14);
        assertNull(((DiscoMessage.Ping) DiscoMessage.parse(old).orElseThrow()).nodeKey());
        byte[] badCmm = {3, 0, 1, 2, 3};
        assertEquals(List.of(), ((DiscoMessage.CallMeMaybe) DiscoMessage.parse(badCmm).orElseThrow()).endpoints());
        byte[] v1 = new DiscoMessage.CallMeMaybe(List.of(new InetSocketAddress("10.0.0.1", 1))).encode();
        v1[1] = 1;
        assertEquals(List.of(), ((DiscoMessage.CallMeMaybe) DiscoMessage.parse(v1).orElseThrow()).endpoints());
        assertTrue(DiscoMessage.parse(new byte[]{9, 0, 1}).isEmpty());
        assertTrue(DiscoMessage.parse(new byte[]{7, 0}).isEmpty());
    }

    @Test
    void attackerBytesNeverThrow() {
        Random r = new Random(1);
        byte[] good = DiscoCodec.seal(new DiscoMessage.CallMeMaybe(List.of()), SENDER, RECEIVER.publicKey());
        assertInstanceOf(DiscoCodec.Opened.NotDisco.class, DiscoCodec.open(new byte[61], RECEIVER));
        for (int i = 0; i < 500; i++) {
            byte[] p = Arrays.copyOf(good, 62 + r.nextInt(100));
            for (int j = 6; j < p.length; j++) {
                if (r.nextInt(4) == 0) {
                    p[j] = (byte) r.nextInt();
                }
            }
            assertNotNull(DiscoCodec.open(p, RECEIVER));
        }
        byte[] tampered = good.clone();
        tampered[tampered.length - 1] ^= 1;
        assertInstanceOf(DiscoCodec.Opened.BadBox.class, DiscoCodec.open(tampered, RECEIVER));
    }

    @Test
    void discoKeyText() {
        String text = "discokey:" + "ab".repeat(32);
        assertEquals(text, DiscoKey.parse(text).toString());
        assertThrows(IllegalArgumentException.class, () -> DiscoKey.parse("nodekey:" + "ab".repeat(32)));
    }
}
