package dev.switchboard.derp;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tailscale's TestClientInfoUnmarshal cases plus Go encoding/json behaviour we rely on. */
class ClientInfoTest {
    private static final String MESH = "6d529e9d4ef632d22d4a4214cb49da8f1ba1b72697061fb24e312984c35ec8d8";

    @Test
    void emptyObjectIsValid() throws Exception {
        ClientInfo info = parse("{}");
        assertNull(info.meshKey());
        assertEquals(0, info.version());
    }

    @Test
    void keysMatchCaseInsensitively() throws Exception {
        ClientInfo upper = parse("{\"Version\":5,\"MeshKey\":\"" + MESH + "\"}");
        ClientInfo lower = parse("{\"version\":5,\"meshKey\":\"" + MESH + "\"}");
        assertEquals(5, upper.version());
        assertArrayEquals(HexFormat.of().parseHex(MESH), upper.meshKey());
        assertArrayEquals(upper.meshKey(), lower.meshKey());
        assertTrue(parse("{\"canackpings\":true,\"ISPROBER\":true,\"unknown\":[1,{\"x\":2}]}").isProber());
    }

    @Test
    void meshKeyMustBeExactly64HexDigits() {
        assertInvalid("{\"meshKey\":\"abcdefg\"}");
        assertInvalid("{\"meshKey\":\"" + MESH + "abcd\"}");
        assertInvalid("{\"meshKey\":\"" + MESH.substring(2) + "zz\"}");
        assertInvalid("{\"meshKey\":\"\"}");
        assertInvalid("{\"meshKey\":42}");
    }

    @Test
    void garbageIsRejected() {
        assertInvalid("not json");
        assertInvalid("[1,2]");
        assertInvalid("{\"version\":\"2\"}");
        assertInvalid("{\"version\":2");
        assertInvalid("{} {}");
    }

    @Test
    void serialisesLikeTailscaleClients() {
        assertEquals("{\"version\":2,\"CanAckPings\":true}", json(ClientInfo.regular()));
        assertEquals("{\"version\":2,\"meshKey\":\"" + MESH + "\",\"CanAckPings\":false}",
                json(ClientInfo.mesh(HexFormat.of().parseHex(MESH))));
        assertEquals("{\"version\":2}", new String(ServerInfo.current().toJson(), StandardCharsets.UTF_8));
    }

    private static ClientInfo parse(String json) throws DerpProtocolException {
        return ClientInfo.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertInvalid(String json) {
        assertThrows(DerpProtocolException.class, () -> parse(json), json);
    }

    private static String json(ClientInfo info) {
        return new String(info.toJson(), StandardCharsets.UTF_8);
    }
}
