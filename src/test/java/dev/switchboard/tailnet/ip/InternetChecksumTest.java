package dev.switchboard.tailnet.ip;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InternetChecksumTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void rfc1071NumericalExample() {
        // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2, so the checksum is 220d.
        byte[] b = HEX.parseHex("0001f203f4f5f6f7");
        InternetChecksum sum = new InternetChecksum().add(b, 0, b.length);
        assertEquals(0xddf2, sum.foldedSum());
        assertEquals(0x220d, sum.checksum());
    }

    @Test
    void oddSplitsAccumulateLikeOneCall() {
        byte[] b = HEX.parseHex("0001f203f4f5f6f7ab");
        int whole = InternetChecksum.compute(b, 0, b.length);
        for (int cut = 0; cut <= b.length; cut++) {
            int split = new InternetChecksum().add(b, 0, cut).add(b, cut, b.length - cut).checksum();
            assertEquals(whole, split, "cut at " + cut);
        }
    }

    @Test
    void wellKnownIpv4HeaderVerifies() {
        // The IPv4 header example 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7.
        byte[] h = HEX.parseHex("450000730000400040110000c0a80001c0a800c7");
        assertEquals(0xb861, InternetChecksum.compute(h, 0, h.length));
        h[10] = (byte) 0xb8;
        h[11] = 0x61;
        assertTrue(new InternetChecksum().add(h, 0, h.length).verifies());
    }

    @Test
    void rfc1624IncrementalUpdateMatchesRecompute() {
        byte[] h = HEX.parseHex("450000730000400040110000c0a80001c0a800c7");
        int before = InternetChecksum.compute(h, 0, h.length);
        h[8] = 0x3f; // TTL 0x40 -> 0x3f: word 0x4011 -> 0x3f11
        assertEquals(InternetChecksum.compute(h, 0, h.length), InternetChecksum.update(before, 0x4011, 0x3f11));
    }
}
