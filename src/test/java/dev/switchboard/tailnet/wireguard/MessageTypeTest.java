package dev.switchboard.tailnet.wireguard;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MessageTypeTest {
    private static byte[] message(int type, int size) {
        byte[] b = new byte[size];
        b[0] = (byte) type;
        return b;
    }

    @Test
    void sizesAreUpstreams() {
        assertEquals(148, MessageType.INITIATION.size());
        assertEquals(92, MessageType.RESPONSE.size());
        assertEquals(64, MessageType.COOKIE_REPLY.size());
        assertEquals(32, MessageType.TRANSPORT.size());
    }

    @Test
    void framingChecks() {
        assertNull(MessageType.check(message(1, 148), 0, 148));
        assertNull(MessageType.check(message(2, 92), 0, 92));
        assertNull(MessageType.check(message(3, 64), 0, 64));
        assertNull(MessageType.check(message(4, 32), 0, 32));
        assertNull(MessageType.check(message(4, 1312), 0, 1312));
        assertEquals(DropReason.TRUNCATED, MessageType.check(message(4, 31), 0, 31));
        assertEquals(DropReason.TRUNCATED, MessageType.check(new byte[0], 0, 0));
        assertEquals(DropReason.BAD_SIZE, MessageType.check(message(1, 147), 0, 147));
        assertEquals(DropReason.BAD_SIZE, MessageType.check(message(1, 149), 0, 149));
        assertEquals(DropReason.BAD_SIZE, MessageType.check(message(2, 93), 0, 93));
        assertEquals(DropReason.BAD_SIZE, MessageType.check(message(3, 63), 0, 63));
        assertEquals(DropReason.UNKNOWN_TYPE, MessageType.check(message(5, 64), 0, 64));
        assertEquals(DropReason.UNKNOWN_TYPE, MessageType.check(message(0, 64), 0, 64));
        byte[] reserved = message(4, 64);
        reserved[2] = 1;
        assertEquals(DropReason.UNKNOWN_TYPE, MessageType.check(reserved, 0, 64), "reserved bytes must be zero");
        byte[] disco = {0x54, 0x53, (byte) 0xf0, (byte) 0x9f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertEquals(DropReason.UNKNOWN_TYPE, MessageType.check(disco, 0, 32));
    }

    @Test
    void littleEndianFields() {
        byte[] b = new byte[16];
        Messages.putTransportHeader(b, 0, 0x05060708, 0x0102030405060708L);
        assertEquals("04000000080706050807060504030201", java.util.HexFormat.of().formatHex(b));
        assertEquals(0x05060708, Messages.receiverIndex(b, 0, MessageType.TRANSPORT));
        assertEquals(0x0102030405060708L, Messages.getU64(b, 8));
        Messages.putU64(b, 8, -1L);
        assertEquals(-1L, Messages.getU64(b, 8));
    }
}
