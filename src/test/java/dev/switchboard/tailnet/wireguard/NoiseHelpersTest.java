package dev.switchboard.tailnet.wireguard;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class NoiseHelpersTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void initialChainKeyAndHash() {
        assertEquals("60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36",
                HEX.formatHex(NoiseHelpers.initialChainKey()));
        assertEquals("2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3",
                HEX.formatHex(NoiseHelpers.initialHash()));
    }

    /** wireguard-go device/kdf_test.go, first vector; independently re-derived with Python hmac + blake2s. */
    @Test
    void kdfKnownAnswers() {
        byte[] key = "test-key".getBytes(StandardCharsets.US_ASCII);
        byte[] input = "test-input".getBytes(StandardCharsets.US_ASCII);
        byte[][] t = NoiseHelpers.kdf3(key, input);
        assertEquals("6f0e5ad38daba1bea8a0d213688736f19763239305e0f58aba697f9ffc41c633", HEX.formatHex(t[0]));
        assertEquals("df1194df20802a4fe594cde27e92991c8cae66c366e8106aaa937a55fa371e8a", HEX.formatHex(t[1]));
        assertEquals("fac6e2745a325f5dc5d11a5b165aad08b0ada28e7b4e666b7c077934a4d76c24", HEX.formatHex(t[2]));
        assertArrayEquals(t[0], NoiseHelpers.kdf1(key, input));
        byte[][] t2 = NoiseHelpers.kdf2(key, input);
        assertArrayEquals(t[0], t2[0]);
        assertArrayEquals(t[1], t2[1]);
    }

    /** Keyed BLAKE2s-128 (checked against Python hashlib.blake2s(key=…, digest_size=16)). */
    @Test
    void macIsKeyedBlake2s128NotHmac() {
        byte[] key = "mac-key".getBytes(StandardCharsets.US_ASCII);
        byte[] data = "hello".getBytes(StandardCharsets.US_ASCII);
        byte[] mac = NoiseHelpers.mac(key, data, 0, data.length);
        assertEquals(16, mac.length);
        assertEquals("b3e6b3a4283d894d9075c52ee7c605f7", HEX.formatHex(mac));
    }

    @Test
    void nodeKeyIsTheStaticKey() {
        dev.switchboard.derp.NodePrivateKey node = dev.switchboard.derp.NodePrivateKey.generate();
        assertEquals(node.publicKey(), NoisePrivateKey.of(node).publicKey());
    }

    @Test
    void tai64nLayoutAndWhitening() {
        assertEquals("400000006553f10a07000000", HEX.formatHex(Tai64n.stamp(1700000000L, 123456789)));
        assertEquals("400000006553f10a00000000", HEX.formatHex(Tai64n.stamp(1700000000L, 0xffffff)));
        assertTrue(Tai64n.after(Tai64n.stamp(1700000000L, 0x1000000), Tai64n.stamp(1700000000L, 0)));
        assertFalse(Tai64n.after(Tai64n.stamp(1700000000L, 5), Tai64n.stamp(1700000000L, 0)));
        assertTrue(Tai64n.after(Tai64n.stamp(1700000001L, 0), Tai64n.stamp(1700000000L, 999_999_999)));
    }

    @Test
    void stamperNeverGoesBackwards() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.ofEpochSecond(1700000000L, 500_000_000));
        Tai64n.Stamper stamper = new Tai64n.Stamper(now::get);
        byte[] first = stamper.next();
        now.set(Instant.ofEpochSecond(1600000000L));
        assertArrayEquals(first, stamper.next(), "a clock stepped back repeats the last stamp");
        now.set(Instant.ofEpochSecond(1700000001L));
        assertTrue(Tai64n.after(stamper.next(), first));
    }
}
