package dev.switchboard.derp;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Tailscale's {@code key.NodePublic.MarshalBinary} form, which Coder's coordinator Node.key carries. */
class NodeKeyBinaryTest {
    private static final NodeKey KEY = NodeKey.parse("nodekey:" + "0f".repeat(32));

    @Test
    void isNpThenTheRawKey() {
        assertArrayEquals(HexFormat.of().parseHex("6e70" + "0f".repeat(32)), KEY.toBinary());
        assertEquals(Optional.of(KEY), NodeKey.fromBinary(KEY.toBinary()));
    }

    @Test
    void anythingElseIsNoKey() {
        assertEquals(Optional.empty(), NodeKey.fromBinary(HexFormat.of().parseHex("6e70" + "0f".repeat(31))));
        assertEquals(Optional.empty(), NodeKey.fromBinary(HexFormat.of().parseHex("6e6b" + "0f".repeat(32))));
        assertEquals(Optional.empty(), NodeKey.fromBinary(new byte[0]));
    }
}
