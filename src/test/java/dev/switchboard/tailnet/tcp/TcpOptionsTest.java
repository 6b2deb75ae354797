package dev.switchboard.tailnet.tcp;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpOptionsTest {
    private static final HexFormat HEX = HexFormat.of();
    private final TcpOptions options = new TcpOptions();

    private TcpReject parse(String hex) {
        byte[] b = HEX.parseHex(hex);
        return options.parse(b, 0, b.length);
    }

    @Test
    void writesLinuxSynLayout() {
        byte[] out = new byte[40];
        int n = new TcpOptions().mss(1220).sackPermitted(true).timestamps(0x01020304, 0).windowScale(7).write(out, 0);
        assertEquals("020404c40402080a01020304000000000103030" + "7", HEX.formatHex(out, 0, n));
    }

    @Test
    void unknownOptionsAreSkippedByLength() {
        // kind 30 (MPTCP) length 4, kind 254 (experimental) length 6, then MSS
        assertNull(parse("1e0400fe" + "fe06aabbccdd" + "020405b4" + "0101"));
        assertEquals(1460, options.mss());
        assertEquals(-1, options.windowScale());
        assertFalse(options.hasTimestamps());
    }

    @Test
    void eolEndsParsingAndNopPads() {
        assertNull(parse("01010303" + "0200" + "020405b4")); // NOP NOP, WS 2, EOL: MSS after EOL ignored
        assertEquals(2, options.windowScale());
        assertEquals(-1, options.mss());
    }

    @Test
    void windowScaleAbove14IsClampedPerRfc7323() {
        assertNull(parse("01030320"));
        assertEquals(14, options.windowScale());
    }

    @Test
    void sackBlocksRoundTripAndAreCappedByOptionSpace() {
        int[] edges = {10, 20, 30, 40, 50, 60, 70, 80};
        byte[] out = new byte[40];
        int n = new TcpOptions().sackBlocks(edges, 4).write(out, 0);
        assertEquals(36, n);
        assertNull(options.parse(out, 0, n));
        assertEquals(4, options.sackBlockCount());
        assertEquals(70, options.sackLeft(3));
        assertEquals(80, options.sackRight(3));

        // with timestamps (12 bytes) only 3 blocks fit in the 40 option bytes (RFC 2018 §3)
        n = new TcpOptions().timestamps(1, 2).sackBlocks(edges, 4).write(out, 0);
        assertEquals(40, n);
        assertNull(options.parse(out, 0, n));
        assertEquals(3, options.sackBlockCount());
        assertEquals(10, options.sackLeft(0));
        assertEquals(60, options.sackRight(2));
        assertTrue(options.hasTimestamps());
        assertEquals(2, options.tsEcr());
    }

    @Test
    void parseReplacesPreviousValues() {
        assertNull(parse("020405b4" + "0402"));
        assertTrue(options.sackPermitted());
        assertNull(parse("01010101"));
        assertEquals(-1, options.mss());
        assertFalse(options.sackPermitted());
    }

    @Test
    void malformedOptionsHaveTypedReasons() {
        assertEquals(TcpReject.BAD_OPTION_LENGTH, parse("02"));           // kind with no length byte
        assertEquals(TcpReject.BAD_OPTION_LENGTH, parse("fe01"));         // length below 2
        assertEquals(TcpReject.BAD_OPTION_LENGTH, parse("fe00"));         // length 0 would loop forever
        assertEquals(TcpReject.BAD_OPTION_LENGTH, parse("020405"));       // runs past the end
        assertEquals(TcpReject.BAD_OPTION_SIZE, parse("0203050101010101"));     // MSS length 3
        assertEquals(TcpReject.BAD_OPTION_SIZE, parse("03040700"));       // window scale length 4
        assertEquals(TcpReject.BAD_OPTION_SIZE, parse("04030001"));       // SACK-permitted length 3
        assertEquals(TcpReject.BAD_OPTION_SIZE, parse("080600000000"));   // timestamps length 6
        assertEquals(TcpReject.BAD_OPTION_SIZE, parse("0505000000"));     // SACK 2 + 3
        assertEquals(TcpReject.BAD_OPTION_SIZE, parse("0502"));           // SACK with no block
        assertEquals(TcpReject.BAD_OPTION_SIZE, parse("052a" + "00".repeat(40))); // 5 blocks
    }
}
