package dev.switchboard.derp;

import io.vertx.core.buffer.Buffer;

/**
 * Decoders of the frames a client (or mesh peer) sends to a server, one per {@link FrameType} the server handles
 * (Tailscale's `derp/derp_server.go` handleFrame*). Pure functions over a frame payload (header already removed).
 *
 * <p>Packet frames decode to zero-copy views: {@link SendPacket#packet()} and {@link ForwardPacket#packet()} are
 * slices of the payload and valid only as long as it is. Everything kept beyond the read ({@link #ping}'s data,
 * keys) is copied.
 *
 * <p>Each decoder checks the payload length itself and throws {@link DerpProtocolException} ({@code bad_frame_length})
 * when it is wrong, so it is safe on any buffer; {@link FrameLimits#SERVER} normally rejects such frames earlier.
 */
public final class ClientFrames {
    /** Bytes of the Ping data echoed in the Pong; a client may append more, which is ignored. */
    public static final int PING_ECHO_LEN = DerpLimits.PING_DATA_LEN;

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
        requireLength(FrameType.SEND_PACKET, payload, DerpLimits.KEY_LEN, DerpLimits.KEY_LEN + DerpLimits.MAX_PACKET_SIZE);
        return new SendPacket(NodeKey.read(payload, 0), payload.slice(DerpLimits.KEY_LEN, payload.length()));
    }

    public static ForwardPacket forwardPacket(Buffer payload) throws DerpProtocolException {
        int keys = 2 * DerpLimits.KEY_LEN;
        requireLength(FrameType.FORWARD_PACKET, payload, keys, keys + DerpLimits.MAX_PACKET_SIZE);
        return new ForwardPacket(NodeKey.read(payload, 0), NodeKey.read(payload, DerpLimits.KEY_LEN),
                payload.slice(keys, payload.length()));
    }

    /** NotePreferred: one byte, non-zero = this server is the client's home. */
    public static boolean notePreferred(Buffer payload) throws DerpProtocolException {
        requireLength(FrameType.NOTE_PREFERRED, payload, 1, 1);
        return payload.getByte(0) != 0;
    }

    /** WatchConns: empty; only the length is checked. */
    public static void watchConns(Buffer payload) throws DerpProtocolException {
        requireLength(FrameType.WATCH_CONNS, payload, 0, 0);
    }

    /** ClosePeer: the key(32) whose local connections are to be closed. */
    public static NodeKey closePeer(Buffer payload) throws DerpProtocolException {
        requireLength(FrameType.CLOSE_PEER, payload, DerpLimits.KEY_LEN, DerpLimits.KEY_LEN);
        return NodeKey.read(payload, 0);
    }

    /** Ping: the first 8 bytes, copied (they outlive the read buffer until the Pong is written). */
    public static Buffer ping(Buffer payload) throws DerpProtocolException {
        requireLength(FrameType.PING, payload, PING_ECHO_LEN, DerpLimits.MAX_PING_LEN);
        return payload.getBuffer(0, PING_ECHO_LEN);
    }

    /** Pong (answer to a server Ping): the 8 echoed bytes, copied. */
    public static Buffer pong(Buffer payload) throws DerpProtocolException {
        requireLength(FrameType.PONG, payload, PING_ECHO_LEN, PING_ECHO_LEN);
        return payload.getBuffer(0, PING_ECHO_LEN);
    }

    private static void requireLength(FrameType type, Buffer payload, int min, int max) throws DerpProtocolException {
        int length = payload.length();
        if (length < min || length > max) {
            throw new DerpProtocolException("bad_frame_length",
                    "frame " + type + " with length " + length + " outside [" + min + ", " + max + "]");
        }
    }
}
