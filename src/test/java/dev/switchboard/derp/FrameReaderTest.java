package dev.switchboard.derp;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameReaderTest {

    @Test
    void headerBytesMatchTailscaleVectors() {
        assertEquals("0400000400", hex(Frames.header(FrameType.SEND_PACKET, 1024)));
        assertEquals("0600000000", hex(Frames.keepAlive()));
        Buffer recv = Buffer.buffer().appendByte((byte) 5).appendUnsignedInt(0xffffffffL);
        assertEquals("05ffffffff", hex(recv));
    }

    @Test
    void reassemblesFramesFedOneByteAtATime() throws Exception {
        NodeKey key = NodePrivateKey.generate().publicKey();
        Buffer stream = Buffer.buffer()
                .appendBuffer(Frames.sendPacket(key, Buffer.buffer("first")))
                .appendBuffer(Frames.notePreferred(true))
                .appendBuffer(Frames.ping(Buffer.buffer("12345678")));
        FrameReader reader = new FrameReader(FrameLimits.SERVER);
        int frames = 0;
        for (int i = 0; i < stream.length(); i++) {
            reader.append(stream.getBuffer(i, i + 1));
            Frame frame;
            while ((frame = reader.poll()) != null) {
                frames++;
                if (frames == 1) {
                    assertEquals(FrameType.SEND_PACKET, frame.type());
                    assertEquals("first", frame.payload().getBuffer(32, frame.payload().length()).toString());
                }
            }
        }
        assertEquals(3, frames);
        assertEquals(0, reader.bufferedBytes());
    }

    @Test
    void framesStraddlingChunksComeOutIntactWhileTheCarryIsReused() throws Exception {
        NodeKey key = NodePrivateKey.generate().publicKey();
        Buffer stream = Buffer.buffer();
        int[] sizes = {1200, 1, 0, 1400, 5000, 1200, 64_000, 900, 1200, 3};
        for (int i = 0; i < sizes.length; i++) {
            byte[] packet = new byte[sizes[i]];
            java.util.Arrays.fill(packet, (byte) i);
            stream.appendBuffer(Frames.sendPacket(key, Buffer.buffer(packet)));
        }
        for (int chunkSize : new int[]{1, 4, 5, 700, 1024, 1237, 4096}) {
            FrameReader reader = new FrameReader(FrameLimits.SERVER);
            int frames = 0;
            for (int at = 0; at < stream.length(); at += chunkSize) {
                reader.append(stream.getBuffer(at, Math.min(stream.length(), at + chunkSize)));
                FrameType type;
                while ((type = reader.next()) != null) {
                    assertEquals(FrameType.SEND_PACKET, type);
                    assertEquals(32 + sizes[frames], reader.payloadLength(), "chunks of " + chunkSize);
                    Buffer payload = reader.payload();
                    assertEquals(key, NodeKey.read(payload, 0));
                    for (int i = 32; i < payload.length(); i++) {
                        assertEquals(frames, payload.getByte(i), "chunks of " + chunkSize + ", frame " + frames);
                    }
                    frames++;
                }
                reader.detach();
            }
            assertEquals(sizes.length, frames, "chunks of " + chunkSize);
            assertEquals(0, reader.bufferedBytes());
        }
    }

    @Test
    void skipsUnknownAndUnhandledTypesWhateverTheirLength() throws Exception {
        FrameReader reader = new FrameReader(FrameLimits.SERVER);
        // An undefined type 0x7f claiming 3 MB, delivered in pieces, then a Pong (unhandled by servers), then Ping.
        reader.append(Buffer.buffer().appendByte((byte) 0x7f).appendInt(3_000_000));
        for (int i = 0; i < 3; i++) {
            reader.append(Buffer.buffer(new byte[1_000_000]));
            assertNull(reader.poll());
        }
        reader.append(Frames.pong(Buffer.buffer("abcdefgh")));
        reader.append(Frames.ping(Buffer.buffer("12345678")));
        Frame frame = reader.poll();
        assertNotNull(frame);
        assertEquals(FrameType.PING, frame.type());
    }

    @Test
    void maximumPacketIsAcceptedAndOneMoreByteIsFatalBeforeBuffering() throws Exception {
        NodeKey key = NodePrivateKey.generate().publicKey();
        FrameReader reader = new FrameReader(FrameLimits.SERVER);
        reader.append(Frames.sendPacket(key, Buffer.buffer(new byte[DerpLimits.MAX_PACKET_SIZE])));
        assertEquals(32 + DerpLimits.MAX_PACKET_SIZE, reader.poll().payload().length());

        reader.append(Frames.header(FrameType.SEND_PACKET, 32 + DerpLimits.MAX_PACKET_SIZE + 1));
        DerpProtocolException e = assertThrows(DerpProtocolException.class, reader::poll);
        assertEquals("bad_frame_length", e.metricReason());
    }

    @Test
    void tenMegabyteLengthFieldIsRejectedFromTheHeaderAlone() {
        FrameReader reader = new FrameReader(FrameLimits.SERVER_HANDSHAKE);
        reader.append(Frames.header(FrameType.CLIENT_INFO, 10 << 20));
        assertThrows(DerpProtocolException.class, reader::poll);
    }

    @Test
    void perTypeLengthRulesAreEnforced() {
        assertFatal(FrameLimits.SERVER, Frames.header(FrameType.NOTE_PREFERRED, 2).appendShort((short) 1));
        assertFatal(FrameLimits.SERVER, Frames.header(FrameType.NOTE_PREFERRED, 0));
        assertFatal(FrameLimits.SERVER, Frames.header(FrameType.SEND_PACKET, 31).appendBytes(new byte[31]));
        assertFatal(FrameLimits.SERVER, Frames.header(FrameType.FORWARD_PACKET, 63).appendBytes(new byte[63]));
        assertFatal(FrameLimits.SERVER, Frames.header(FrameType.WATCH_CONNS, 1).appendByte((byte) 0));
        assertFatal(FrameLimits.SERVER, Frames.header(FrameType.CLOSE_PEER, 31).appendBytes(new byte[31]));
        assertFatal(FrameLimits.SERVER, Frames.header(FrameType.PING, 7).appendBytes(new byte[7]));
        assertFatal(FrameLimits.SERVER, Frames.header(FrameType.PING, 1001).appendBytes(new byte[1001]));
        assertFatal(FrameLimits.SERVER_HANDSHAKE, Frames.ping(Buffer.buffer("12345678")));
        assertFatal(FrameLimits.SERVER_HANDSHAKE, Frames.header(FrameType.CLIENT_INFO, 55).appendBytes(new byte[55]));
        assertFatal(FrameLimits.CLIENT, Frames.header(FrameType.RECV_PACKET, (1 << 20) + 1));
    }

    @Test
    void partialFrameIsNotReturned() throws Exception {
        FrameReader reader = new FrameReader(FrameLimits.SERVER);
        Buffer frame = Frames.ping(Buffer.buffer("12345678"));
        reader.append(frame.getBuffer(0, 10));
        assertNull(reader.poll());
        reader.append(frame.getBuffer(10, frame.length()));
        assertTrue(reader.poll() != null);
    }

    @Test
    void everySplitOfAStreamYieldsTheSameFramesAndEachChunkMayBeRecycled() throws Exception {
        NodeKey key = NodePrivateKey.generate().publicKey();
        Buffer stream = Buffer.buffer()
                .appendBuffer(Frames.sendPacket(key, Buffer.buffer("one")))
                .appendBuffer(Frames.frame(FrameType.PONG, Buffer.buffer("skipped!")))
                .appendBuffer(Frames.sendPacket(key, Buffer.buffer(new byte[300]).setString(0, "two")))
                .appendBuffer(Frames.ping(Buffer.buffer("12345678")));
        for (int first = 0; first <= stream.length(); first++) {
            for (int second = first; second <= stream.length(); second += 7) {
                FrameReader reader = new FrameReader(FrameLimits.SERVER);
                StringBuilder seen = new StringBuilder();
                for (Buffer piece : new Buffer[]{stream.getBuffer(0, first), stream.getBuffer(first, second),
                        stream.getBuffer(second, stream.length())}) {
                    reader.append(piece);
                    Frame frame;
                    while ((frame = reader.poll()) != null) {
                        seen.append(describe(frame)).append(' ');
                    }
                    reader.detach();
                    piece.setBytes(0, new byte[piece.length()]); // recycled: kept bytes must be copies
                }
                assertEquals("SEND_PACKET:one SEND_PACKET:two PING:12345678 ", seen.toString(), first + "/" + second);
                assertEquals(0, reader.bufferedBytes());
            }
        }
    }

    @Test
    void framesLeftInAChunkByAPausedReaderAreKeptInOrder() throws Exception {
        Buffer stream = Buffer.buffer()
                .appendBuffer(Frames.ping(Buffer.buffer("11111111")))
                .appendBuffer(Frames.ping(Buffer.buffer("22222222")))
                .appendBuffer(Frames.ping(Buffer.buffer("33333333")));
        FrameReader reader = new FrameReader(FrameLimits.SERVER);
        reader.append(stream.getBuffer(0, 30));
        assertEquals("PING:11111111", describe(reader.poll()));
        reader.detach(); // paused: one whole frame and part of the next stay unread
        reader.append(stream.getBuffer(30, stream.length()));
        assertEquals("PING:22222222", describe(reader.poll()));
        assertEquals("PING:33333333", describe(reader.poll()));
        assertNull(reader.poll());
    }

    private static String describe(Frame frame) {
        Buffer payload = frame.payload();
        String text = frame.type() == FrameType.SEND_PACKET
                ? payload.getString(32, 35) : payload.toString();
        return frame.type() + ":" + text;
    }

    private static void assertFatal(FrameLimits limits, Buffer bytes) {
        FrameReader reader = new FrameReader(limits);
        reader.append(bytes);
        assertThrows(DerpProtocolException.class, reader::poll, hex(bytes.getBuffer(0, 5)));
    }

    private static String hex(Buffer buffer) {
        return HexFormat.of().formatHex(buffer.getBytes());
    }
}
