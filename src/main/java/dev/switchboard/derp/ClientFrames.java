package dev.switchboard.derp;

import io.vertx.core.buffer.Buffer;

/**
 * Decoders of the frames a client (or mesh peer) sends to a server, one per {@link FrameType} the server handles
 * (Tailscale's `derp/derp_server.go` handleFrame*). Pure functions over a frame payload (header already removed).
 *
 * <p>Packet frames decode to zero-copy views: {@link SendPacket#packet()} and {@link ForwardPacket#packet()} are
 * slices of the payload and valid only as long as it is. Everything kept beyond the read ({@link #ping}'s data,
 * keys) is copied. The relay's packet path decodes nothing: it checks the length with {@link #sendPacketLength} or
 * {@link #forwardPacketLength} and reads keys and packet in place (layouts: {@link #SEND_PACKET_DATA},
 * {@link #FORWARD_PACKET_DATA}).
 *
 * <p>Each decoder checks the payload length itself and throws {@link DerpProtocolException} ({@code bad_frame_length})
 * when it is wrong, so it is safe on any buffer; {@link FrameLimits#SERVER} normally rejects such frames earlier.
 */
public final class ClientFrames {
    /** Bytes of the Ping data echoed in the Pong; a client may append more, which is ignored. */
    public static final int PING_ECHO_LEN = DerpLimits.PING_DATA_LEN;

    /** Offset of the packet in a SendPacket payload, after the destination key at 0. */
    public static final int SEND_PACKET_DATA = DerpLimits.KEY_LEN;
    /** Offset of the packet in a ForwardPacket payload, after the source key at 0 and the destination key at 32. */
    public static final int FORWARD_PACKET_DATA = 2 * DerpLimits.KEY_LEN;

    private ClientFrames() {
    }

    /** SendPacket: destination key(32) ‖ packet. {@code packet} is a slice of the payload. */
    public record SendPacket(NodeKey destination, Buffer packet) {
        public boolean looksLikeDisco() {
            return DiscoPacket.looksLikeDisco(packet, 0, packet.length());
        }
    }

    /** ForwardPacket (mesh): source key(32) ‖ destination key(32) ‖ packet. {@code packet} is a slice of the payload. */
    public record ForwardPacket(NodeKey source, NodeKey destination, Buffer packet) {
        public boolean looksLikeDisco() {
            return DiscoPacket.looksLikeDisco(packet, 0, packet.length());
        }
    }

    /** ClientInfo: client key(32) ‖ nonce(24) ‖ box(JSON), opened with the server's private key. */
    public static Handshake.OpenedClientInfo clientInfo(NodePrivateKey server, Buffer payload)
            throws DerpProtocolException {
        return Handshake.openClientInfo(server, payload);
    }

    public static SendPacket sendPacket(Buffer payload) throws DerpProtocolException {
        sendPacketLength(payload.length());
        return new SendPacket(NodeKey.read(payload, 0), payload.slice(SEND_PACKET_DATA, payload.length()));
    }

    /** Checks a SendPacket payload's length; returns the packet's, which starts at {@link #SEND_PACKET_DATA}. */
    public static int sendPacketLength(int payloadLength) throws DerpProtocolException {
        requireLength(FrameType.SEND_PACKET, payloadLength, SEND_PACKET_DATA,
                SEND_PACKET_DATA + DerpLimits.MAX_PACKET_SIZE);
        return payloadLength - SEND_PACKET_DATA;
    }

    public static ForwardPacket forwardPacket(Buffer payload) throws DerpProtocolException {
        forwardPacketLength(payload.length());
        return new ForwardPacket(NodeKey.read(payload, 0), NodeKey.read(payload, DerpLimits.KEY_LEN),
                payload.slice(FORWARD_PACKET_DATA, payload.length()));
    }

    /** Checks a ForwardPacket payload's length; returns the packet's, which starts at {@link #FORWARD_PACKET_DATA}. */
    public static int forwardPacketLength(int payloadLength) throws DerpProtocolException {
        requireLength(FrameType.FORWARD_PACKET, payloadLength, FORWARD_PACKET_DATA,
                FORWARD_PACKET_DATA + DerpLimits.MAX_PACKET_SIZE);
        return payloadLength - FORWARD_PACKET_DATA;
    }

    /** NotePreferred: one byte, non-zero = this server is the client's home. */
    public static boolean notePreferred(Buffer payload) throws DerpProtocolException {
        requireLength(FrameType.NOTE_PREFERRED, payload.length(), 1, 1);
        return payload.getByte(0) != 0;
    }

    /** WatchConns: empty; only the length is checked. */
    public static void watchConns(Buffer payload) throws DerpProtocolException {
        requireLength(FrameType.WATCH_CONNS, payload.length(), 0, 0);
    }

    /** ClosePeer: the key(32) whose local connections are to be closed. */
    public static NodeKey closePeer(Buffer payload) throws DerpProtocolException {
        requireLength(FrameType.CLOSE_PEER, payload.length(), DerpLimits.KEY_LEN, DerpLimits.KEY_LEN);
        return NodeKey.read(payload, 0);
    }

    /** Ping: the first 8 bytes, copied (they outlive the read buffer until the Pong is written). */
    public static Buffer ping(Buffer payload) throws DerpProtocolException {
        requireLength(FrameType.PING, payload.length(), PING_ECHO_LEN, DerpLimits.MAX_PING_LEN);
        return payload.getBuffer(0, PING_ECHO_LEN);
    }

    /** Pong (answer to a server Ping): the 8 echoed bytes, copied. */
    public static Buffer pong(Buffer payload) throws DerpProtocolException {
        requireLength(FrameType.PONG, payload.length(), PING_ECHO_LEN, PING_ECHO_LEN);
        return payload.getBuffer(0, PING_ECHO_LEN);
    }

    private static void requireLength(FrameType type, int length, int min, int max) throws DerpProtocolException {
        if (length < min || length > max) {
            throw new DerpProtocolException("bad_frame_length",
                    "frame " + type + " with length " + length + " outside [" + min + ", " + max + "]");
        }
    }
}
