package dev.switchboard.derp;

import dev.switchboard.derp.transport.DerpUpgradeHandler;
import dev.switchboard.testing.KnownAnswers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays the byte-exact recordings of Tailscale's client (v1.36.2) talking to derper: every frame is split out,
 * every sealed box opened with the recorded keys, and every frame re-encoded by our builders to the same bytes.
 */
class KnownAnswerSessionTest {
    private static final NodePrivateKey SERVER =
            NodePrivateKey.parse(KnownAnswers.root().get("server_private_key").asText());

    @Test
    void clientSessionRequestAndFramesMatchOurCodec() throws Exception {
        String session = "session_client_A";
        NodePrivateKey client = privateKey(session, "client_private_key");
        NodeKey peerB = NodeKey.parse(KnownAnswers.session(session).get("peer_B_public_key").asText());
        assertEquals(KnownAnswers.session(session).get("client_public_key").asText(), client.publicKey().toString());

        Buffer c2s = KnownAnswers.stream(session, "c2s");
        String head = httpHead(c2s);
        assertTrue(head.startsWith("GET /derp HTTP/1.1\r\n") && head.contains("Upgrade: DERP\r\n"), head);
        List<Buffer> clientFrames = frames(c2s.getBuffer(head.length(), c2s.length()), FrameLimits.CLIENT);

        Buffer clientInfo = clientFrames.get(0);
        Handshake.OpenedClientInfo opened = Handshake.openClientInfo(SERVER, payload(clientInfo));
        assertEquals(client.publicKey(), opened.clientKey());
        assertEquals(2, opened.info().version());
        assertFalse(opened.info().canAckPings(), "the recording's client did not enable CanAckPings");
        assertNull(opened.info().meshKey());
        assertSameBytes(clientInfo, resealClientInfo(client, clientInfo, opened.info()));

        assertSameBytes(clientFrames.get(1), Frames.notePreferred(true));
        assertSameBytes(clientFrames.get(2),
                Frames.sendPacket(peerB, Buffer.buffer("hello from A")));
        assertSameBytes(clientFrames.get(3), Frames.ping(payload(clientFrames.get(3))));
        assertEquals(4, clientFrames.size());
    }

    @Test
    void serverSideOfClientSessionMatchesOurCodec() throws Exception {
        String session = "session_client_A";
        NodePrivateKey client = privateKey(session, "client_private_key");
        NodeKey peerB = NodeKey.parse(KnownAnswers.session(session).get("peer_B_public_key").asText());

        Buffer s2c = KnownAnswers.stream(session, "s2c");
        String head = httpHead(s2c);
        assertEquals(DerpUpgradeHandler.switchingProtocols(SERVER.publicKey()).toString(StandardCharsets.US_ASCII), head);
        List<Buffer> serverFrames = frames(s2c.getBuffer(head.length(), s2c.length()), FrameLimits.CLIENT);

        assertSameBytes(serverFrames.get(0), Frames.serverKey(SERVER.publicKey()));
        assertEquals(SERVER.publicKey(), Handshake.parseServerKey(payload(serverFrames.get(0))));

        Buffer serverInfo = serverFrames.get(1);
        ServerInfo info = Handshake.openServerInfo(client, SERVER.publicKey(), payload(serverInfo));
        assertEquals(ServerInfo.current(), info);
        byte[] nonce = payload(serverInfo).getBytes(0, DerpLimits.NONCE_LEN);
        byte[] resealed = NaclBox.seal(ServerInfo.current().toJson(), nonce, SERVER, client.publicKey());
        assertSameBytes(serverInfo, Frames.frame(FrameType.SERVER_INFO, Buffer.buffer(nonce).appendBytes(resealed)));

        ByteBuf recv = Frames.recvPacket(UnpooledByteBufAllocator.DEFAULT, Buffer.buffer(peerB.toBytes()), 0,
                Buffer.buffer("hello from B"), 0, 12);
        assertSameBytes(serverFrames.get(2), Buffer.buffer(recv));
        recv.release();
        Buffer ping = payload(serverFrames.get(3));
        assertSameBytes(serverFrames.get(3), Frames.pong(ping));
        // v1.36 servers sent the 32-byte PeerGone; ours adds the reason byte that current servers send.
        Buffer peerGone = serverFrames.get(4);
        assertEquals(FrameType.PEER_GONE.code(), peerGone.getUnsignedByte(0));
        assertEquals(peerB, NodeKey.read(payload(peerGone), 0));
        assertEquals(32, payload(peerGone).length());
        assertSameBytes(Frames.peerGone(peerB, PeerGoneReason.DISCONNECTED),
                Buffer.buffer().appendByte((byte) 8).appendInt(33).appendBuffer(payload(peerGone)).appendByte((byte) 0));
        assertEquals(5, serverFrames.size());
    }

    @Test
    void meshWatcherSessionMatchesOurCodec() throws Exception {
        String session = "session_mesh_watcher";
        NodePrivateKey watcher = privateKey(session, "client_private_key");
        byte[] meshKey = KnownAnswers.hex(KnownAnswers.session(session).get("mesh_key").asText());

        Buffer c2s = KnownAnswers.stream(session, "c2s");
        String head = httpHead(c2s);
        List<Buffer> clientFrames = frames(c2s.getBuffer(head.length(), c2s.length()), FrameLimits.CLIENT);
        Handshake.OpenedClientInfo opened = Handshake.openClientInfo(SERVER, payload(clientFrames.get(0)));
        assertEquals(watcher.publicKey(), opened.clientKey());
        assertArrayEquals(meshKey, opened.info().meshKey());
        assertSameBytes(clientFrames.get(0), resealClientInfo(watcher, clientFrames.get(0), opened.info()));
        assertSameBytes(clientFrames.get(1), Frames.watchConns());

        Buffer s2c = KnownAnswers.stream(session, "s2c");
        List<Buffer> serverFrames = frames(s2c.getBuffer(httpHead(s2c).length(), s2c.length()), FrameLimits.CLIENT);
        Handshake.openServerInfo(watcher, SERVER.publicKey(), payload(serverFrames.get(1)));
        List<String> events = new ArrayList<>();
        for (Buffer frame : serverFrames.subList(2, serverFrames.size())) {
            FrameType type = FrameType.fromCode(frame.getUnsignedByte(0));
            events.add(type + " " + NodeKey.read(payload(frame), 0).shortString());
        }
        assertTrue(events.get(0).startsWith("PEER_PRESENT " + watcher.publicKey().shortString()), events.toString());
        assertTrue(events.stream().anyMatch(e -> e.startsWith("PEER_GONE")), events.toString());
    }

    /** Re-seals the opened JSON with the recorded nonce; Go's output must be what our serialiser produces. */
    private static Buffer resealClientInfo(NodePrivateKey client, Buffer frame, ClientInfo info) {
        byte[] nonce = payload(frame).getBytes(DerpLimits.KEY_LEN, DerpLimits.KEY_LEN + DerpLimits.NONCE_LEN);
        byte[] sealed = NaclBox.seal(info.toJson(), nonce, client, SERVER.publicKey());
        Buffer payload = client.publicKey().appendTo(Buffer.buffer()).appendBytes(nonce).appendBytes(sealed);
        return Frames.frame(FrameType.CLIENT_INFO, payload);
    }

    private static NodePrivateKey privateKey(String session, String field) {
        return NodePrivateKey.parse(KnownAnswers.session(session).get(field).asText());
    }

    private static String httpHead(Buffer stream) {
        String text = stream.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.indexOf("\r\n\r\n") + 4);
    }

    /** Splits a byte stream into whole frames (header included), feeding it in 7-byte chunks. */
    private static List<Buffer> frames(Buffer stream, FrameLimits limits) throws DerpProtocolException {
        List<Buffer> out = new ArrayList<>();
        int offset = 0;
        while (offset < stream.length()) {
            long length = stream.getUnsignedInt(offset + 1);
            out.add(stream.getBuffer(offset, offset + DerpLimits.FRAME_HEADER_LEN + (int) length));
            offset += DerpLimits.FRAME_HEADER_LEN + (int) length;
        }
        FrameReader reader = new FrameReader(limits);
        List<Frame> decoded = new ArrayList<>();
        for (int i = 0; i < stream.length(); i += 7) {
            reader.append(stream.getBuffer(i, Math.min(stream.length(), i + 7)));
            Frame frame;
            while ((frame = reader.poll()) != null) {
                // A copy: a frame is valid only until the reader's next append, which reuses its carry-over.
                decoded.add(new Frame(frame.type(), frame.payload().copy()));
            }
        }
        assertEquals(out.size(), decoded.size(), "reader and manual split agree on frame count");
        for (int i = 0; i < out.size(); i++) {
            assertSameBytes(payload(out.get(i)), decoded.get(i).payload());
        }
        return out;
    }

    private static Buffer payload(Buffer frame) {
        return frame.getBuffer(DerpLimits.FRAME_HEADER_LEN, frame.length());
    }

    private static void assertSameBytes(Buffer expected, Buffer actual) {
        assertEquals(java.util.HexFormat.of().formatHex(expected.getBytes()),
                java.util.HexFormat.of().formatHex(actual.getBytes()));
        assertTrue(Arrays.equals(expected.getBytes(), actual.getBytes()));
    }
}
