package dev.switchboard.derp;

import dev.switchboard.derp.ServerFrames.PeerGone;
import dev.switchboard.derp.ServerFrames.PeerPresent;
import dev.switchboard.derp.ServerFrames.RecvPacket;
import dev.switchboard.derp.ServerFrames.ServerFrame;
import dev.switchboard.testing.KnownAnswers;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Known answers for the server-to-client decoders: the frames derper (v1.36.2) sent in the recorded sessions, and,
 * for the forms newer servers send (reason byte, address and flags, Restarting, Health), bytes written out from the
 * payload layouts in Tailscale's {@code derp/derp.go}.
 */
class ServerFramesTest {
    private static final NodePrivateKey SERVER =
            NodePrivateKey.parse(KnownAnswers.root().get("server_private_key").asText());
    private static final String SESSION = "session_client_A";
    private static final NodeKey PEER_B =
            NodeKey.parse(KnownAnswers.session(SESSION).get("peer_B_public_key").asText());
    /** {@link #PEER_B} as the 32 hex bytes that open its frames. */
    private static final String PEER_B_HEX = PEER_B.toHex();

    @Test
    void recordedClientSessionDecodes() throws Exception {
        NodePrivateKey client = NodePrivateKey.parse(KnownAnswers.session(SESSION).get("client_private_key").asText());
        List<ServerFrame> frames = serverFrames(SESSION);
        assertEquals(5, frames.size());

        assertEquals(new ServerFrames.ServerKey(SERVER.publicKey()), frames.get(0));
        ServerFrames.SealedServerInfo sealed = assertInstanceOf(ServerFrames.SealedServerInfo.class, frames.get(1));
        assertEquals(ServerInfo.current(), sealed.open(client, SERVER.publicKey()));
        DerpProtocolException wrongKey = assertThrows(DerpProtocolException.class,
                () -> sealed.open(NodePrivateKey.generate(), SERVER.publicKey()));
        assertEquals("box_open_failed", wrongKey.metricReason());

        RecvPacket packet = assertInstanceOf(RecvPacket.class, frames.get(2));
        assertEquals(PEER_B, packet.source());
        assertEquals("hello from B", packet.data().toString(StandardCharsets.UTF_8));

        // The Pong echoes the client's recorded Ping bytes.
        Buffer c2s = KnownAnswers.stream(SESSION, "c2s");
        Buffer pingData = c2s.getBuffer(c2s.length() - DerpLimits.PING_DATA_LEN, c2s.length());
        assertEquals(pingData, assertInstanceOf(ServerFrames.Pong.class, frames.get(3)).data());

        // v1.36 sent PeerGone without the reason byte: it means DISCONNECTED.
        assertEquals(new PeerGone(PEER_B, PeerGoneReason.DISCONNECTED), frames.get(4));
    }

    @Test
    void recordedWatcherSessionDecodesKeyOnlyPeerPresent() throws Exception {
        String session = "session_mesh_watcher";
        NodeKey watcher = NodeKey.parse(KnownAnswers.session(session).get("client_public_key").asText());
        List<ServerFrame> events = serverFrames(session).subList(2, serverFrames(session).size());
        // v1.36 sent the 32-byte PeerPresent: no address, no flags.
        assertEquals(new PeerPresent(watcher, null, 0), events.get(0));
        assertTrue(events.contains(new PeerPresent(PEER_B, null, 0)), events.toString());
        assertTrue(events.contains(new PeerGone(PEER_B, PeerGoneReason.DISCONNECTED)), events.toString());
    }

    @Test
    void peerGoneWithReasonByte() throws Exception {
        assertEquals(new PeerGone(PEER_B, PeerGoneReason.NOT_HERE), decode("0800000021" + PEER_B_HEX + "01"));
        assertEquals(new PeerGone(PEER_B, PeerGoneReason.DISCONNECTED), decode("0800000021" + PEER_B_HEX + "00"));
        assertEquals(new PeerGone(PEER_B, null), decode("0800000021" + PEER_B_HEX + "7f"), "unknown reason code");
    }

    @Test
    void peerPresentWithAddressAndFlags() throws Exception {
        // key ‖ ::ffff:192.0.2.1 ‖ port 41641 ‖ flags IS_REGULAR
        String v4 = "0900000033" + PEER_B_HEX + "00000000000000000000ffffc0000201" + "a2a9" + "01";
        assertEquals(new PeerPresent(PEER_B, new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 41641),
                PeerPresentFlags.IS_REGULAR), decode(v4));
        // key ‖ 2001:db8::1 ‖ port 3478, without the flags byte
        String v6 = "0900000032" + PEER_B_HEX + "20010db8000000000000000000000001" + "0d96";
        assertEquals(new PeerPresent(PEER_B, new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 3478), 0),
                decode(v6));
        // What our server sends decodes to what it encoded.
        assertEquals(new PeerPresent(PEER_B, new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 41641),
                        PeerPresentFlags.IS_MESH_PEER),
                decode(Frames.peerPresent(PEER_B, InetAddress.getByName("192.0.2.1"), 41641, PeerPresentFlags.IS_MESH_PEER)));
    }

    @Test
    void restartingPingKeepAliveAndHealth() throws Exception {
        assertEquals(new ServerFrames.Restarting(3000, 30000), decode("1500000008" + "00000bb8" + "00007530"));
        assertEquals(new ServerFrames.Restarting(0xffffffffL, 1), decode(Frames.restarting(0xffffffffL, 1)));
        assertEquals(new ServerFrames.Ping(Buffer.buffer(HexFormat.of().parseHex("0102030405060708"))),
                decode("1200000008" + "0102030405060708"));
        assertEquals(new ServerFrames.KeepAlive(), decode("0600000000"));
        assertEquals(new ServerFrames.Health("no route"), decode("1400000008" + hex("no route")));
        assertEquals(new ServerFrames.Health(""), decode("1400000000"));
    }

    @Test
    void recvPacketDataIsAViewOfThePayload() throws Exception {
        Buffer payload = PEER_B.appendTo(Buffer.buffer()).appendString("abc");
        RecvPacket packet = ServerFrames.recvPacket(payload);
        payload.setByte(DerpLimits.KEY_LEN, (byte) 'x');
        assertEquals("xbc", packet.data().toString(StandardCharsets.UTF_8));
        assertEquals(0, ServerFrames.recvPacket(PEER_B.appendTo(Buffer.buffer())).data().length(), "empty packet");
    }

    @Test
    void shortFramesAreTypedErrors() {
        for (String frame : List.of("050000001f" + PEER_B_HEX.substring(2), "0800000000", "0900000001ff",
                "1500000004" + "00000bb8", "1200000007" + "01020304050607", "1300000000")) {
            DerpProtocolException e = assertThrows(DerpProtocolException.class, () -> decode(frame), frame);
            assertEquals("short_frame", e.metricReason(), frame);
        }
        assertEquals("bad_server_key", assertThrows(DerpProtocolException.class,
                () -> ServerFrames.serverKey(Buffer.buffer("NOTDERP!").appendBytes(new byte[32]))).metricReason());
        assertEquals("bad_server_info", assertThrows(DerpProtocolException.class,
                () -> ServerFrames.serverInfo(Buffer.buffer(new byte[23]))).metricReason());
    }

    @Test
    void framesAClientDoesNotActOnDecodeToNull() throws Exception {
        assertNull(ServerFrames.decode(new Frame(FrameType.fromCode(0xee), Buffer.buffer("ab"))), "undefined type");
        assertNull(decode(Frames.sendPacket(PEER_B, Buffer.buffer("x"))), "client-to-server type");
    }

    /** Every frame derper sent in a recorded session, after its HTTP response head. */
    private static List<ServerFrame> serverFrames(String session) throws DerpProtocolException {
        Buffer s2c = KnownAnswers.stream(session, "s2c");
        int head = s2c.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n") + 4;
        return decodeAll(s2c.getBuffer(head, s2c.length()));
    }

    private static ServerFrame decode(String hex) throws DerpProtocolException {
        return decode(Buffer.buffer(HexFormat.of().parseHex(hex)));
    }

    private static ServerFrame decode(Buffer frame) throws DerpProtocolException {
        List<ServerFrame> frames = decodeAll(frame);
        assertEquals(1, frames.size());
        return frames.get(0);
    }

    /** Splits with the client's FrameReader, as DerpClient does, and decodes each frame. */
    private static List<ServerFrame> decodeAll(Buffer stream) throws DerpProtocolException {
        FrameReader reader = new FrameReader(FrameLimits.CLIENT);
        reader.append(stream);
        List<ServerFrame> out = new ArrayList<>();
        Frame frame;
        while ((frame = reader.poll()) != null) {
            out.add(ServerFrames.decode(frame));
        }
        return out;
    }

    private static String hex(String text) {
        return HexFormat.of().formatHex(text.getBytes(StandardCharsets.UTF_8));
    }
}
