package dev.switchboard.derp;

import dev.switchboard.testing.KnownAnswers;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Known answers for the decoders of client→server frames: Tailscale's recorded frames and hand-written payloads. */
class ClientFramesTest {
    private static final NodePrivateKey SERVER =
            NodePrivateKey.parse(KnownAnswers.root().get("server_private_key").asText());
    private static final String KEY_A = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";
    private static final String KEY_B = "a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0";

    @Test
    void decodesTheRecordedTailscaleClientFrames() throws Exception {
        String session = "session_client_A";
        List<Buffer> payloads = recordedClientPayloads(session);
        NodeKey peerB = NodeKey.parse(KnownAnswers.session(session).get("peer_B_public_key").asText());

        Handshake.OpenedClientInfo opened = ClientFrames.clientInfo(SERVER, payloads.get(0));
        assertEquals(KnownAnswers.session(session).get("client_public_key").asText(), opened.clientKey().toString());
        assertEquals(2, opened.info().version());

        assertTrue(ClientFrames.notePreferred(payloads.get(1)));

        ClientFrames.SendPacket send = ClientFrames.sendPacket(payloads.get(2));
        assertEquals(peerB, send.destination());
        assertEquals("hello from A", send.packet().toString(StandardCharsets.UTF_8));
        assertFalse(send.looksLikeDisco());

        Buffer ping = payloads.get(3);
        assertEquals(hex(ping.getBuffer(0, 8)), hex(ClientFrames.ping(ping)));
    }

    @Test
    void decodesTheRecordedMeshWatcherFrames() throws Exception {
        List<Buffer> payloads = recordedClientPayloads("session_mesh_watcher");
        byte[] meshKey = KnownAnswers.hex(KnownAnswers.session("session_mesh_watcher").get("mesh_key").asText());
        assertArrayEquals(meshKey, ClientFrames.clientInfo(SERVER, payloads.get(0)).info().meshKey());
        ClientFrames.watchConns(payloads.get(1));
    }

    @Test
    void sendPacketIsDestinationThenAZeroCopyPacketView() throws Exception {
        Buffer payload = bytes(KEY_A + "68656c6c6f");
        ClientFrames.SendPacket send = ClientFrames.sendPacket(payload);
        assertEquals(NodeKey.parse(KEY_A), send.destination());
        assertEquals("68656c6c6f", hex(send.packet()));
        payload.setByte(32, (byte) 0x48);
        assertEquals("48656c6c6f", hex(send.packet()), "the packet is a view of the payload, not a copy");

        assertEquals(0, ClientFrames.sendPacket(bytes(KEY_A)).packet().length(), "an empty packet is legal");
    }

    @Test
    void sendPacketRecognisesDisco() throws Exception {
        Buffer disco = Buffer.buffer(DiscoPacket.magic()).appendBytes(new byte[DerpLimits.KEY_LEN + DerpLimits.NONCE_LEN]);
        assertTrue(ClientFrames.sendPacket(bytes(KEY_A).appendBuffer(disco)).looksLikeDisco());
        assertFalse(ClientFrames.sendPacket(bytes(KEY_A).appendBuffer(disco.getBuffer(0, disco.length() - 1)))
                .looksLikeDisco(), "shorter than a disco header");
    }

    @Test
    void forwardPacketIsSourceThenDestinationThenPacket() throws Exception {
        ClientFrames.ForwardPacket forward = ClientFrames.forwardPacket(bytes(KEY_A + KEY_B + "00ff"));
        assertEquals(NodeKey.parse(KEY_A), forward.source());
        assertEquals(NodeKey.parse(KEY_B), forward.destination());
        assertEquals("00ff", hex(forward.packet()));
        assertFalse(forward.looksLikeDisco());
    }

    @Test
    void notePreferredIsAnyNonZeroByte() throws Exception {
        assertFalse(ClientFrames.notePreferred(bytes("00")));
        assertTrue(ClientFrames.notePreferred(bytes("01")));
        assertTrue(ClientFrames.notePreferred(bytes("ff")));
    }

    @Test
    void closePeerIsTheTargetKey() throws Exception {
        assertEquals(NodeKey.parse(KEY_B), ClientFrames.closePeer(bytes(KEY_B)));
    }

    @Test
    void pingEchoesItsFirstEightBytesAsACopy() throws Exception {
        Buffer payload = bytes("0102030405060708" + "deadbeef");
        Buffer data = ClientFrames.ping(payload);
        payload.setByte(0, (byte) 0x7f);
        assertEquals("0102030405060708", hex(data));
        assertEquals("1112131415161718", hex(ClientFrames.pong(bytes("1112131415161718"))));
    }

    @Test
    void wrongLengthsAreTypedProtocolErrors() {
        assertBadLength(() -> ClientFrames.sendPacket(bytes(KEY_A.substring(2))));
        assertBadLength(() -> ClientFrames.sendPacket(bytes(KEY_A).appendBytes(new byte[DerpLimits.MAX_PACKET_SIZE + 1])));
        assertBadLength(() -> ClientFrames.forwardPacket(bytes(KEY_A + KEY_B.substring(2))));
        assertBadLength(() -> ClientFrames.notePreferred(bytes("")));
        assertBadLength(() -> ClientFrames.notePreferred(bytes("0101")));
        assertBadLength(() -> ClientFrames.watchConns(bytes("00")));
        assertBadLength(() -> ClientFrames.closePeer(bytes(KEY_A + "00")));
        assertBadLength(() -> ClientFrames.ping(bytes("01020304050607")));
        assertBadLength(() -> ClientFrames.ping(Buffer.buffer(new byte[DerpLimits.MAX_PING_LEN + 1])));
        assertBadLength(() -> ClientFrames.pong(bytes("010203040506070809")));
    }

    @Test
    void clientInfoSealedToAnotherServerIsATypedProtocolError() {
        NodePrivateKey client = NodePrivateKey.generate();
        Buffer frame = Frames.clientInfo(client, NodePrivateKey.generate().publicKey(), ClientInfo.regular());
        DerpProtocolException e = assertThrows(DerpProtocolException.class,
                () -> ClientFrames.clientInfo(SERVER, frame.getBuffer(DerpLimits.FRAME_HEADER_LEN, frame.length())));
        assertEquals("box_open_failed", e.metricReason());
    }

    private interface Decode {
        void run() throws DerpProtocolException;
    }

    private static void assertBadLength(Decode decode) {
        DerpProtocolException e = assertThrows(DerpProtocolException.class, decode::run);
        assertEquals("bad_frame_length", e.metricReason());
    }

    /** The payloads (headers removed) of the client→server frames after the HTTP upgrade request. */
    private static List<Buffer> recordedClientPayloads(String session) {
        Buffer stream = KnownAnswers.stream(session, "c2s");
        String text = stream.toString(StandardCharsets.ISO_8859_1);
        int offset = text.indexOf("\r\n\r\n") + 4;
        List<Buffer> payloads = new ArrayList<>();
        while (offset < stream.length()) {
            int length = (int) stream.getUnsignedInt(offset + 1);
            int start = offset + DerpLimits.FRAME_HEADER_LEN;
            payloads.add(stream.getBuffer(start, start + length));
            offset = start + length;
        }
        return payloads;
    }

    private static Buffer bytes(String hex) {
        return Buffer.buffer(HexFormat.of().parseHex(hex));
    }

    private static String hex(Buffer buffer) {
        return HexFormat.of().formatHex(buffer.getBytes());
    }
}
