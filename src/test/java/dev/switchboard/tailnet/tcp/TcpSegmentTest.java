package dev.switchboard.tailnet.tcp;

import dev.switchboard.tailnet.ip.InternetChecksum;
import dev.switchboard.tailnet.ip.IpPacket;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpSegmentTest {
    private static final HexFormat HEX = HexFormat.of();

    /**
     * A SYN that Linux sent from [::1]:59640 to [::1]:51881, captured on lo with an AF_PACKET
     * socket. Loopback offloads the checksum (CHECKSUM_PARTIAL), so the field holds the folded
     * pseudo-header sum 0x0030 rather than the final checksum.
     */
    private static final String LINUX_IPV6_SYN = "60031ac100280640"
            + "00000000000000000000000000000001" + "00000000000000000000000000000001"
            + "e8f8caa967abf49600000000a002ffc400300000"
            + "0204ffc40402080aee703d1f000000000103030a";
    /** The final checksum of that SYN, computed independently (a Python RFC 1071 sum). */
    private static final int LINUX_IPV6_SYN_CHECKSUM = 0x12b1;
    /** A data segment "hello tcp\n" (PSH|ACK) of the same connection, same offload. */
    private static final String LINUX_IPV6_DATA = "60031ac1002a0640"
            + "00000000000000000000000000000001" + "00000000000000000000000000000001"
            + "e8f8caa967abf4978589c2fc8018004000320000"
            + "0101080aee703d296fe174c0" + "68656c6c6f207463700a";
    private static final int LINUX_IPV6_DATA_CHECKSUM = 0xe561;
    /** A SYN from 127.0.0.1:40774 to 127.0.0.1:38845; IPv4 header checksum is real, TCP's partial. */
    private static final String LINUX_IPV4_SYN = "4500003ceac84000400651f17f0000017f000001"
            + "9f4697bd2bf1667b00000000a002ffd7fe300000"
            + "0204ffd70402080a0d5797fd000000000103030a";
    private static final int LINUX_IPV4_SYN_CHECKSUM = 0xe139;

    private final TcpSegment segment = new TcpSegment();

    @Test
    void linuxIpv6SynFieldsAndOptions() {
        IpPacket ip = packet(LINUX_IPV6_SYN);
        // the offloaded field is exactly our pseudo-header sum: ::1, ::1, length 40, next header 6
        assertEquals(ip.pseudoHeader().foldedSum(), u16(ip.bytes(), ip.payloadOffset() + 16));
        assertEquals(TcpReject.BAD_CHECKSUM, segment.wrap(ip));

        setChecksum(ip, LINUX_IPV6_SYN_CHECKSUM);
        assertNull(segment.wrap(ip));
        assertEquals(59640, segment.sourcePort());
        assertEquals(51881, segment.destinationPort());
        assertEquals(0x67abf496, segment.seq());
        assertEquals(0, segment.ack());
        assertEquals(40, segment.headerLength());
        assertEquals(TcpSegment.SYN, segment.flags());
        assertEquals(65476, segment.window());
        assertEquals(LINUX_IPV6_SYN_CHECKSUM, segment.checksum());
        assertEquals(0, segment.urgentPointer());
        assertEquals(0, segment.payloadLength());
        assertEquals(1, segment.segmentLength());
        TcpOptions o = segment.options();
        assertEquals(65476, o.mss());
        assertTrue(o.sackPermitted());
        assertTrue(o.hasTimestamps());
        assertEquals(0xee703d1f, o.tsVal());
        assertEquals(0, o.tsEcr());
        assertEquals(10, o.windowScale());
        assertEquals(0, o.sackBlockCount());
    }

    @Test
    void linuxIpv6DataSegmentPayload() {
        IpPacket ip = packet(LINUX_IPV6_DATA);
        setChecksum(ip, LINUX_IPV6_DATA_CHECKSUM);
        assertNull(segment.wrap(ip));
        assertTrue(segment.has(TcpSegment.ACK) && segment.has(TcpSegment.PSH));
        assertEquals(0x67abf497, segment.seq());
        assertEquals(0x8589c2fc, segment.ack());
        assertEquals(64, segment.window());
        assertEquals(10, segment.segmentLength());
        assertEquals("hello tcp\n", new String(segment.bytes(), segment.payloadOffset(), segment.payloadLength()));
        assertEquals(0x6fe174c0, segment.options().tsEcr());
    }

    @Test
    void linuxIpv4SynVerifiesOverIpv4PseudoHeader() {
        IpPacket ip = packet(LINUX_IPV4_SYN);
        assertEquals(ip.pseudoHeader().foldedSum(), u16(ip.bytes(), ip.payloadOffset() + 16));
        setChecksum(ip, LINUX_IPV4_SYN_CHECKSUM);
        assertNull(segment.wrap(ip));
        assertEquals(40774, segment.sourcePort());
        assertEquals(65495, segment.options().mss());
    }

    @Test
    void serializingTheLinuxSynReproducesItsBytes() {
        byte[] expected = packet(LINUX_IPV6_SYN).bytes();
        IpPacket original = packet(LINUX_IPV6_SYN);
        setChecksum(original, LINUX_IPV6_SYN_CHECKSUM);

        byte[] out = new byte[80];
        byte[] loopback = Arrays.copyOfRange(expected, 8, 24);
        IpPacket.writeIpv6Header(out, 0, 40, IpPacket.PROTOCOL_TCP, 64, loopback, loopback);
        out[1] = 0x03; // Linux's flow label, copied so whole packets compare
        out[2] = 0x1a;
        out[3] = (byte) 0xc1;
        TcpOptions options = new TcpOptions().mss(65476).sackPermitted(true).timestamps(0xee703d1f, 0).windowScale(10);
        int header = TcpSegment.writeHeader(out, 40, 59640, 51881, 0x67abf496, 0, TcpSegment.SYN, 65476, options);
        assertEquals(40, header);
        TcpSegment.writeChecksum(packet(out));
        assertArrayEquals(original.bytes(), out);
    }

    @Test
    void generatedChecksumMatchesIndependentValueForIpv4() {
        IpPacket ip = packet(LINUX_IPV4_SYN);
        setChecksum(ip, 0);
        TcpSegment.writeChecksum(ip);
        assertEquals(LINUX_IPV4_SYN_CHECKSUM, u16(ip.bytes(), ip.payloadOffset() + 16));
    }

    @Test
    void ipv4RoundTripWithAnOddLengthPayload() {
        byte[] src = {100, 64, 0, 1};
        byte[] dst = {100, 64, 0, 2};
        byte[] out = new byte[20 + 32 + 3];
        TcpOptions options = new TcpOptions().timestamps(7, 9);
        int header = TcpSegment.writeHeader(out, 20, 5000, 80, -2, 12345, TcpSegment.ACK | TcpSegment.PSH, 513, options);
        assertEquals(32, header);
        out[52] = 'a';
        out[53] = 'b';
        out[54] = 'c';
        IpPacket.writeIpv4Header(out, 0, header + 3, IpPacket.PROTOCOL_TCP, 64, 1, src, dst);
        IpPacket ip = packet(out);
        TcpSegment.writeChecksum(ip);
        assertNull(segment.wrap(ip));
        assertEquals(0xfffffffe, segment.seq());
        assertEquals(12345, segment.ack());
        assertEquals(513, segment.window());
        assertEquals(3, segment.payloadLength());
        assertEquals(9, segment.options().tsEcr());
        out[54] = 'd'; // the odd trailing byte is covered too
        assertEquals(TcpReject.BAD_CHECKSUM, segment.wrap(ip));
        out[9] = 17; // UDP is not ours
        assertEquals(TcpReject.NOT_TCP, segment.wrap(ip));
    }

    @Test
    void everySingleBitFlipIsCaughtByTheChecksum() {
        IpPacket ip = packet(LINUX_IPV6_DATA);
        setChecksum(ip, LINUX_IPV6_DATA_CHECKSUM);
        byte[] b = ip.bytes();
        for (int bit = 0; bit < 8 * ip.payloadLength(); bit++) {
            int i = ip.payloadOffset() + bit / 8;
            b[i] ^= (byte) (1 << (bit % 8));
            TcpReject reject = segment.wrap(ip);
            b[i] ^= (byte) (1 << (bit % 8));
            // a flip in the data offset nibble may be caught as a bad offset first
            assertTrue(reject == TcpReject.BAD_CHECKSUM || reject == TcpReject.BAD_DATA_OFFSET, "bit " + bit);
        }
        assertNull(segment.wrap(ip));
    }

    @Test
    void rejectsMalformedHeaders() {
        TcpRejectCounters counters = new TcpRejectCounters();
        byte[] b = new byte[24];
        TcpSegment.writeHeader(b, 0, 1000, 2000, 1, 0, TcpSegment.SYN, 100, null);
        assertTrue(counters.drop(segment.wrap(b, 0, 19, new InternetChecksum())));
        b[12] = 0x40; // data offset 4 words < 5
        assertTrue(counters.drop(segment.wrap(b, 0, 24, new InternetChecksum())));
        b[12] = 0x60; // 24 bytes: 4 option bytes
        b[20] = TcpOptions.KIND_MSS;
        b[21] = 4;
        b[12] = 0x70; // 28 > 24 bytes present
        assertTrue(counters.drop(segment.wrap(b, 0, 24, new InternetChecksum())));
        assertEquals(1, counters.count(TcpReject.TRUNCATED));
        assertEquals(2, counters.count(TcpReject.BAD_DATA_OFFSET));

        b[12] = 0x60;
        b[22] = 0x05;
        b[23] = (byte) 0xb4;
        seal(b);
        assertFalse(counters.drop(segment.wrap(b, 0, 24, new InternetChecksum())));
        assertEquals(1460, segment.options().mss());

        b[21] = 5; // MSS length 5 runs past the header
        seal(b);
        assertTrue(counters.drop(segment.wrap(b, 0, 24, new InternetChecksum())));
        assertEquals(1, counters.count(TcpReject.BAD_OPTION_LENGTH));

        b[21] = 4;
        b[0] = 0;
        b[1] = 0; // source port 0
        seal(b);
        assertTrue(counters.drop(segment.wrap(b, 0, 24, new InternetChecksum())));
        assertEquals(1, counters.count(TcpReject.ZERO_PORT));
        assertEquals(5, counters.total());
    }

    private static void seal(byte[] b) {
        b[16] = 0;
        b[17] = 0;
        TcpSegment.writeChecksum(b, 0, b.length, new InternetChecksum());
    }

    private static IpPacket packet(String hex) {
        return packet(HEX.parseHex(hex));
    }

    private static IpPacket packet(byte[] b) {
        return ((IpPacket.Parsed.Accepted) IpPacket.parse(b, 0, b.length)).packet();
    }

    private static void setChecksum(IpPacket ip, int checksum) {
        ip.bytes()[ip.payloadOffset() + 16] = (byte) (checksum >>> 8);
        ip.bytes()[ip.payloadOffset() + 17] = (byte) checksum;
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }
}
