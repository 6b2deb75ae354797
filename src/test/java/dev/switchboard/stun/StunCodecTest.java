package dev.switchboard.stun;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The responses recorded in Tailscale's `net/stun/stun_test.go` plus the validation rules of our responder. */
class StunCodecTest {
    private static final byte[] TX_1_TO_12 = HexFormat.of().parseHex("0102030405060708090a0b0c");

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "google-1, 0101000c2112a4422360b11e3ec68ffa93e08007002000080001c7866957856f, 2360b11e3ec68ffa93e08007, 72.69.33.45, 59028",
            "google-2, 0101000c2112a442f9f121cbde7d7c75923ce271002000080001c7876957856f, f9f121cbde7d7c75923ce271, 72.69.33.45, 59029",
            "stun-sipgate-net-10000, 010100442112a442482eb64715e8b28eaead6444000100080001e4ab4845212d0004000800012710d90a44980005000800012711d9747a8a802000080001c5b96957856f80220010566f766964612e6f726720302e393600, 482eb64715e8b28eaead6444, 72.69.33.45, 58539",
            "stun-powervoip-com-3478, 010100242112a4427e57966829f444609d1deaa6000100080001e9d34845212d0004000800010d964d48a9d40005000800010d974d48a9d5, 7e57966829f444609d1deaa6, 72.69.33.45, 59859",
            "in-process-pion-server, 010100242112a442ebc2d36ef471217c4f3e308e8022000a656e64706f696e7465720000002000080001ce665e12a44380280004b699bb02010100242112a442, ebc2d36ef471217c4f3e308e, 127.0.0.1, 61300",
            "stuntman-server-ipv6, 010100482112a44206f56685d28af3e69ce341e200010014000290ce260200d1b4cfc10038b231fffeef96f6802b001400020d962604a880000200d10000000000c57001002000140002b1dc0710a493b23aa785ea38c219620cd714, 06f56685d28af3e69ce341e2, 2602:d1:b4cf:c100:38b2:31ff:feef:96f6, 37070",
            "software-a, 010100142112a442ebc2d36ef471217c4f3e308e8022000161000000002000080001ce665e12a443, ebc2d36ef471217c4f3e308e, 127.0.0.1, 61300",
            "software-abc, 010100142112a442ebc2d36ef471217c4f3e308e8022000361626300002000080001ce665e12a443, ebc2d36ef471217c4f3e308e, 127.0.0.1, 61300",
            "no-4in6, 010100182112a4424fd5d202dcb37d31fc773306002000140002cd3d2112a4424fd5d202dcb382ce2dc3fcc7, 4fd5d202dcb37d31fc773306, 209.180.207.193, 60463",
    })
    void parsesEveryRecordedResponse(String name, String packet, String txId, String address, int port)
            throws Exception {
        StunCodec.BindingResponse response = StunCodec.parseResponse(buffer(packet));
        assertNotNull(response, name);
        assertEquals(txId, HexFormat.of().formatHex(response.transactionId()));
        assertEquals(InetAddress.getByName(address), response.mapped().getAddress());
        assertEquals(port, response.mapped().getPort());
    }

    @Test
    void isMatchesTailscaleCases() {
        byte[] minimal = new byte[20];
        System.arraycopy(new byte[]{0x21, 0x12, (byte) 0xa4, 0x42}, 0, minimal, 4, 4);
        assertFalse(StunCodec.is(Buffer.buffer()));
        assertFalse(StunCodec.is(Buffer.buffer(new byte[20])));
        assertFalse(StunCodec.is(Buffer.buffer(Arrays.copyOf(minimal, 19))));
        assertTrue(StunCodec.is(Buffer.buffer(minimal)));
        assertTrue(StunCodec.is(Buffer.buffer(minimal).appendString("foo")));
        for (int first : new int[]{0xf0, 0x40}) {
            byte[] bad = minimal.clone();
            bad[0] = (byte) first;
            assertFalse(StunCodec.is(Buffer.buffer(bad)));
        }
        byte[] ok = minimal.clone();
        ok[0] = 0x20;
        assertTrue(StunCodec.is(Buffer.buffer(ok)));
    }

    @ParameterizedTest
    @CsvSource({"1, 1.2.3.4, 254", "2, 1.2.3.4, 257", "3, 1::4, 254", "4, 1::4, 257"})
    void responsesRoundTrip(int n, String address, int port) throws Exception {
        byte[] tx = new byte[12];
        Arrays.fill(tx, (byte) n);
        StunCodec.BindingResponse parsed = StunCodec.parseResponse(
                StunCodec.response(tx, InetAddress.getByName(address), port, false));
        assertArrayEquals(tx, parsed.transactionId());
        assertEquals(InetAddress.getByName(address), parsed.mapped().getAddress());
        assertEquals(port, parsed.mapped().getPort());
    }

    @Test
    void requestAndResponsesAreByteExact() throws Exception {
        assertEquals("000100142112a4420102030405060708090a0b0c802200087461696c6e6f646580280004b32c370f",
                hex(StunCodec.tailscaleRequest(TX_1_TO_12)));
        byte[] ones = new byte[12];
        Arrays.fill(ones, (byte) 1);
        byte[] threes = new byte[12];
        Arrays.fill(threes, (byte) 3);
        assertEquals("0101000c2112a44201010101010101010101010100200008000121ec2010a746",
                hex(StunCodec.response(ones, InetAddress.getByName("1.2.3.4"), 254, false)));
        assertEquals("010100182112a44203030303030303030303030300200014000221ec2113a442030303030303030303030307",
                hex(StunCodec.response(threes, InetAddress.getByName("1::4"), 254, false)));
        assertEquals("0101000c2112a4420102030405060708090a0b0c00200008000183bbea12d545",
                hex(StunCodec.response(TX_1_TO_12, InetAddress.getByName("203.0.113.7"), 41641, false)));
    }

    @Test
    void tailscaleRequestValidatesAsTailscaleWithFingerprint() {
        StunCodec.Validation validation = StunCodec.validate(StunCodec.tailscaleRequest(TX_1_TO_12));
        assertEquals(StunCodec.Disposition.SUCCESS, validation.disposition());
        assertTrue(validation.request().tailscale());
        assertTrue(validation.request().fingerprint());
        assertArrayEquals(TX_1_TO_12, validation.request().transactionId());
    }

    @Test
    void ipv4MappedSenderGetsFamilyOne() throws Exception {
        InetAddress mapped = InetAddress.getByAddress(HexFormat.of().parseHex("00000000000000000000ffffcb007107"));
        assertEquals("0101000c2112a4420102030405060708090a0b0c00200008000183bbea12d545",
                hex(StunCodec.response(TX_1_TO_12, mapped, 41641, false)));
    }

    @Test
    void genericRequestsWithAndWithoutFingerprintAreAccepted() {
        Buffer bare = header(0x0001, 0);
        assertEquals(StunCodec.Disposition.SUCCESS, StunCodec.validate(bare).disposition());
        assertFalse(StunCodec.validate(bare).request().tailscale());

        Buffer withSoftware = header(0x0001, 8).appendUnsignedShort(0x8022).appendUnsignedShort(3)
                .appendString("abc").appendByte((byte) 0);
        assertEquals(StunCodec.Disposition.SUCCESS, StunCodec.validate(withSoftware).disposition());

        Buffer fingerprinted = withFingerprint(header(0x0001, 8 + 8).appendUnsignedShort(0x8022)
                .appendUnsignedShort(3).appendString("abc").appendByte((byte) 0));
        StunCodec.Validation validation = StunCodec.validate(fingerprinted);
        assertEquals(StunCodec.Disposition.SUCCESS, validation.disposition());
        assertTrue(validation.request().fingerprint());
        assertFalse(validation.request().tailscale());
    }

    @Test
    void responseToAFingerprintedRequestCarriesAValidFingerprint() throws Exception {
        Buffer response = StunCodec.response(TX_1_TO_12, InetAddress.getByName("203.0.113.7"), 41641, true);
        assertEquals(40, response.length());
        assertEquals(20, response.getUnsignedShort(2));
        assertEquals(0x8028, response.getUnsignedShort(32));
        assertNotNull(StunCodec.parseResponse(response));
        assertEquals(response.getInt(36), fingerprintOf(response, 32));
    }

    @Test
    void malformedDatagramsAreDroppedWithTheRightDisposition() {
        Buffer tailscale = StunCodec.tailscaleRequest(TX_1_TO_12);
        assertDropped(StunCodec.Disposition.NOT_STUN, Buffer.buffer("GET / HTTP/1.1\r\n\r\nxxxxxxxxx"));
        assertDropped(StunCodec.Disposition.NOT_STUN, header(0x0001, 0).getBuffer(0, 19));
        assertDropped(StunCodec.Disposition.NOT_STUN, header(0x0101, 0));
        assertDropped(StunCodec.Disposition.NOT_STUN, header(0x0111, 0));
        assertDropped(StunCodec.Disposition.NOT_STUN, header(0x0011, 0));
        assertDropped(StunCodec.Disposition.BAD, tailscale.getBuffer(0, 38));
        assertDropped(StunCodec.Disposition.BAD, header(0x0001, 4));
        assertDropped(StunCodec.Disposition.BAD, header(0x0001, 2).appendShort((short) 0x8022));
        assertDropped(StunCodec.Disposition.BAD, header(0x0001, 8).appendUnsignedShort(0x8022)
                .appendUnsignedShort(40).appendInt(0));
        Buffer badFingerprint = tailscale.copy();
        badFingerprint.setByte(39, (byte) (badFingerprint.getByte(39) ^ 1));
        assertDropped(StunCodec.Disposition.BAD, badFingerprint);
        assertDropped(StunCodec.Disposition.BAD, tailscale.copy().setUnsignedShort(2, 28)
                .appendUnsignedShort(0x8022).appendUnsignedShort(4).appendInt(0));
    }

    @Test
    void theResponderReadsRequestsInPlaceFromTheirReaderIndex() throws Exception {
        io.netty.buffer.ByteBuf read = io.netty.buffer.Unpooled.buffer().writeBytes(new byte[7])
                .writeBytes(StunCodec.tailscaleRequest(TX_1_TO_12).getBytes()).readerIndex(7);
        assertEquals(StunCodec.Verdict.TAILSCALE, StunCodec.verdict(read, new Fingerprinter()));
        for (String address : List.of("203.0.113.7", "1::4")) {
            io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer().writeBytes(new byte[3]);
            byte[] ip = InetAddress.getByName(address).getAddress();
            StunCodec.writeResponse(read, ip, 41641, false, out, new Fingerprinter());
            assertEquals(hex(StunCodec.response(TX_1_TO_12, InetAddress.getByName(address), 41641, false)),
                    hex(Buffer.buffer(out.slice(3, out.readableBytes() - 3))));
            assertEquals(StunCodec.responseLength(ip, false), out.readableBytes() - 3);
        }
    }

    @Test
    void responsesWithoutAnAddressAreNotUsable() {
        assertNull(StunCodec.parseResponse(header(0x0101, 0)));
        assertNull(StunCodec.parseResponse(header(0x0101, 12)));
    }

    private static void assertDropped(StunCodec.Disposition expected, Buffer packet) {
        StunCodec.Validation validation = StunCodec.validate(packet);
        assertEquals(expected, validation.disposition(), hex(packet));
        assertNull(validation.request());
    }

    private static Buffer header(int type, int length) {
        return Buffer.buffer().appendUnsignedShort(type).appendUnsignedShort(length).appendInt(StunCodec.MAGIC_COOKIE)
                .appendBytes(TX_1_TO_12);
    }

    private static Buffer withFingerprint(Buffer message) {
        int at = message.length();
        message.appendUnsignedShort(0x8028).appendUnsignedShort(4);
        return message.appendInt(fingerprintOf(message, at));
    }

    private static int fingerprintOf(Buffer message, int at) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(message.getBytes(0, at));
        return (int) crc.getValue() ^ 0x5354554e;
    }

    private static Buffer buffer(String hex) {
        return Buffer.buffer(HexFormat.of().parseHex(hex));
    }

    private static String hex(Buffer buffer) {
        return HexFormat.of().formatHex(buffer.getBytes());
    }
}
