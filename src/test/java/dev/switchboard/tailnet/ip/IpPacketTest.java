package dev.switchboard.tailnet.ip;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class IpPacketTest {
    static final HexFormat HEX = HexFormat.of();
    static final byte[] SRC = HEX.parseHex("fd7a115ca1e0ab124843000000000001");
    static final byte[] DST = HEX.parseHex("fd7a115ca1e0ab124843000000000002");
    /** IPv6 Echo Request id 0x1234 seq 1 data "abcdefgh"; checksum 93cc computed independently. */
    static final String ECHO_REQUEST = "6000000000103a40" + HEX.formatHex(SRC) + HEX.formatHex(DST)
            + "800093cc123400016162636465666768";

    static IpPacket accept(byte[] b) {
        IpPacket.Parsed parsed = IpPacket.parse(b, 0, b.length);
        return assertInstanceOf(IpPacket.Parsed.Accepted.class, parsed).packet();
    }

    static IpReject reject(byte[] b, int len) {
        return assertInstanceOf(IpPacket.Parsed.Rejected.class, IpPacket.parse(b, 0, len)).reason();
    }

    @Test
    void ipv6HeaderFields() {
        IpPacket p = accept(HEX.parseHex(ECHO_REQUEST));
        assertEquals(6, p.version());
        assertEquals(56, p.length());
        assertEquals(16, p.payloadLength());
        assertEquals(58, p.protocol());
        assertEquals(64, p.hopLimit());
        assertArrayEquals(SRC, p.source());
        assertArrayEquals(DST, p.destination());
    }

    @Test
    void ipv4HeaderFields() {
        byte[] b = new byte[28];
        IpPacket.writeIpv4Header(b, 0, 8, 17, 64, 7, new byte[]{100, 64, 0, 1}, new byte[]{100, 64, 0, 2});
        IpPacket p = accept(b);
        assertEquals(4, p.version());
        assertEquals(20, p.headerLength());
        assertEquals(8, p.payloadLength());
        assertEquals(17, p.protocol());
        assertArrayEquals(new byte[]{100, 64, 0, 2}, p.destination());
        b[8] = 1; // TTL changed without fixing the header checksum
        assertEquals(IpReject.BAD_HEADER_CHECKSUM, reject(b, b.length));
    }

    @Test
    void typedRejects() {
        byte[] v6 = HEX.parseHex(ECHO_REQUEST);
        assertEquals(IpReject.TRUNCATED, reject(v6, 0));
        assertEquals(IpReject.TRUNCATED, reject(v6, 39));
        assertEquals(IpReject.LENGTH_MISMATCH, reject(v6, 55));
        byte[] bad = v6.clone();
        bad[0] = 0x50;
        assertEquals(IpReject.BAD_VERSION, reject(bad, bad.length));
        byte[] v4 = new byte[28];
        IpPacket.writeIpv4Header(v4, 0, 8, 17, 64, 7, new byte[4], new byte[4]);
        assertEquals(IpReject.TRUNCATED, reject(v4, 19));
        assertEquals(IpReject.LENGTH_MISMATCH, reject(v4, 27));
        v4[0] = 0x44;
        assertEquals(IpReject.BAD_HEADER_LENGTH, reject(v4, 28));
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(1);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(80)];
            random.nextBytes(b);
            assertNotNull(IpPacket.parse(b, 0, b.length));
        }
    }

    @Test
    void byteBufferViewsHonourPosition() {
        byte[] framed = HEX.parseHex("ffff" + ECHO_REQUEST);
        ByteBuffer buffer = ByteBuffer.wrap(framed).position(2);
        IpPacket p = assertInstanceOf(IpPacket.Parsed.Accepted.class, IpPacket.parse(buffer)).packet();
        assertEquals(2, p.offset());
        ByteBuffer direct = ByteBuffer.allocateDirect(56).put(HEX.parseHex(ECHO_REQUEST)).flip();
        assertEquals(56, assertInstanceOf(IpPacket.Parsed.Accepted.class, IpPacket.parse(direct)).packet().length());
    }
}
