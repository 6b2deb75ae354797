package dev.switchboard.derp;

import io.vertx.core.buffer.Buffer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decoders for the frames a DERP server sends to a client, payload layouts as in Tailscale's {@code derp/derp.go}
 * (the encoders are in {@link Frames}). Pure functions over a frame's payload (header removed, as
 * {@link FrameReader} returns it).
 *
 * <p>Views: {@link RecvPacket#data()}, {@link Ping#data()}, {@link Pong#data()} and {@link SealedServerInfo}
 * are slices of the payload, not copies, so the relay's hot path costs no copy here. They are valid as long as the
 * payload is ({@link FrameReader}: until {@code detach()}); copy what must outlive it.
 *
 * <p>A payload too short for its type is a {@link DerpProtocolException} with reason {@code short_frame}. Tailscale's
 * client ({@code derp/derp_client.go} recvTimeout) drops such frames and reads on, except in the handshake; the
 * caller decides, the codec only reports.
 */
public final class ServerFrames {
    /** PeerPresent: key ‖ IP(16) ‖ port(2) is the v1.48 form that carries the peer's address. */
    private static final int PEER_PRESENT_ADDRESS_LEN = DerpLimits.KEY_LEN + 16 + 2;

    private ServerFrames() {
    }

    /** One decoded server frame. */
    public sealed interface ServerFrame
            permits ServerKey, SealedServerInfo, RecvPacket, PeerGone, PeerPresent, Restarting, Ping, Pong, KeepAlive,
            Health {
    }

    /** ServerKey: the server's public key, after the DERP magic. */
    public record ServerKey(NodeKey key) implements ServerFrame {
    }

    /** ServerInfo still sealed: nonce(24) ‖ box(JSON), opened with the client's private key. A view of the payload. */
    public record SealedServerInfo(Buffer payload) implements ServerFrame {
        /** @throws DerpProtocolException if the box does not open with these keys or its JSON is invalid */
        public ServerInfo open(NodePrivateKey client, NodeKey server) throws DerpProtocolException {
            byte[] bytes = payload.getBytes();
            byte[] nonce = Arrays.copyOfRange(bytes, 0, DerpLimits.NONCE_LEN);
            try {
                return ServerInfo.parse(NaclBox.open(bytes, DerpLimits.NONCE_LEN, bytes.length - DerpLimits.NONCE_LEN,
                        nonce, client, server));
            } catch (NaclBox.BoxOpenException e) {
                throw new DerpProtocolException("box_open_failed", "cannot open ServerInfo: " + e.getMessage());
            }
        }
    }

    /** RecvPacket (protocol v2): the sender's key and the packet, a view of the payload. */
    public record RecvPacket(NodeKey source, Buffer data) implements ServerFrame {
    }

    /**
     * PeerGone: {@code reason} is DISCONNECTED for the 32-byte form servers before v1.40 send, null for a code this
     * version does not know.
     */
    public record PeerGone(NodeKey peer, PeerGoneReason reason) implements ServerFrame {
    }

    /**
     * PeerPresent (to watchers): {@code endpoint} is null in the key-only form servers before v1.48 send,
     * {@code flags} ({@link PeerPresentFlags}) 0 where the server sent none (before v1.70).
     */
    public record PeerPresent(NodeKey peer, InetSocketAddress endpoint, int flags) implements ServerFrame {
    }

    /** Restarting: reconnect after {@code reconnectInMillis}, keep trying for {@code tryForMillis}. */
    public record Restarting(long reconnectInMillis, long tryForMillis) implements ServerFrame {
    }

    /** Ping from the server: the 8 bytes to echo in a Pong, a view of the payload. */
    public record Ping(Buffer data) implements ServerFrame {
    }

    /** Pong: the 8 bytes of the client's Ping it answers, a view of the payload. */
    public record Pong(Buffer data) implements ServerFrame {
    }

    /** KeepAlive: no content; it only resets the client's read deadline. */
    public record KeepAlive() implements ServerFrame {
        static final KeepAlive INSTANCE = new KeepAlive();
    }

    /** Health: the server's problem text; empty clears an earlier one. */
    public record Health(String problem) implements ServerFrame {
    }

    /**
     * Decodes any frame a server sends. Null for a type a client does not act on (undefined bytes and the
     * client-to-server types), which Tailscale's client reads past.
     */
    public static ServerFrame decode(Frame frame) throws DerpProtocolException {
        if (frame.type() == null) {
            return null;
        }
        Buffer payload = frame.payload();
        return switch (frame.type()) {
            case SERVER_KEY -> new ServerKey(serverKey(payload));
            case SERVER_INFO -> serverInfo(payload);
            case RECV_PACKET -> recvPacket(payload);
            case PEER_GONE -> peerGone(payload);
            case PEER_PRESENT -> peerPresent(payload);
            case RESTARTING -> restarting(payload);
            case PING -> ping(payload);
            case PONG -> pong(payload);
            case KEEP_ALIVE -> KeepAlive.INSTANCE;
            case HEALTH -> health(payload);
            default -> null;
        };
    }

    /** ServerKey: magic(8) ‖ server key(32) ‖ bytes a later version may add, ignored. */
    public static NodeKey serverKey(Buffer payload) throws DerpProtocolException {
        if (payload.length() < DerpLimits.MAGIC.length + DerpLimits.KEY_LEN
                || !Arrays.equals(payload.getBytes(0, DerpLimits.MAGIC.length), DerpLimits.MAGIC)) {
            throw new DerpProtocolException("bad_server_key", "ServerKey frame without DERP magic");
        }
        return NodeKey.read(payload, DerpLimits.MAGIC.length);
    }

    /** ServerInfo: nonce(24) ‖ box; only its length is checked before it is opened. */
    public static SealedServerInfo serverInfo(Buffer payload) throws DerpProtocolException {
        if (payload.length() < DerpLimits.NONCE_LEN) {
            throw new DerpProtocolException("bad_server_info", "ServerInfo frame too short");
        }
        return new SealedServerInfo(payload);
    }

    /** RecvPacket: source key(32) ‖ packet (possibly empty). */
    public static RecvPacket recvPacket(Buffer payload) throws DerpProtocolException {
        requireLength(payload, DerpLimits.KEY_LEN, "RecvPacket");
        return new RecvPacket(NodeKey.read(payload, 0), payload.slice(DerpLimits.KEY_LEN, payload.length()));
    }

    /** PeerGone: peer key(32) ‖ optional reason(1). */
    public static PeerGone peerGone(Buffer payload) throws DerpProtocolException {
        requireLength(payload, DerpLimits.KEY_LEN, "PeerGone");
        PeerGoneReason reason = payload.length() > DerpLimits.KEY_LEN
                ? PeerGoneReason.fromCode(payload.getUnsignedByte(DerpLimits.KEY_LEN))
                : PeerGoneReason.DISCONNECTED;
        return new PeerGone(NodeKey.read(payload, 0), reason);
    }

    /** PeerPresent: peer key(32) ‖ optional IPv6 or IPv4-mapped IP(16) ‖ port(uint16 BE) ‖ optional flags(1). */
    public static PeerPresent peerPresent(Buffer payload) throws DerpProtocolException {
        requireLength(payload, DerpLimits.KEY_LEN, "PeerPresent");
        InetSocketAddress endpoint = payload.length() >= PEER_PRESENT_ADDRESS_LEN
                ? endpoint(payload.getBytes(DerpLimits.KEY_LEN, DerpLimits.KEY_LEN + 16),
                        payload.getUnsignedShort(DerpLimits.KEY_LEN + 16))
                : null;
        int flags = payload.length() >= DerpLimits.PEER_PRESENT_LEN
                ? payload.getUnsignedByte(DerpLimits.PEER_PRESENT_LEN - 1) : 0;
        return new PeerPresent(NodeKey.read(payload, 0), endpoint, flags);
    }

    /** Restarting: reconnectIn millis(uint32 BE) ‖ tryFor millis(uint32 BE). */
    public static Restarting restarting(Buffer payload) throws DerpProtocolException {
        requireLength(payload, DerpLimits.RESTARTING_LEN, "Restarting");
        return new Restarting(payload.getUnsignedInt(0), payload.getUnsignedInt(4));
    }

    /** Ping: 8 opaque bytes to echo. */
    public static Ping ping(Buffer payload) throws DerpProtocolException {
        return new Ping(eightBytes(payload, "Ping"));
    }

    /** Pong: the 8 bytes of the Ping it answers. */
    public static Pong pong(Buffer payload) throws DerpProtocolException {
        return new Pong(eightBytes(payload, "Pong"));
    }

    /** Health: UTF-8 text, any length (Go takes the bytes as they are; invalid UTF-8 becomes U+FFFD here). */
    public static Health health(Buffer payload) {
        return new Health(payload.toString(StandardCharsets.UTF_8));
    }

    /** Ping and Pong carry 8 opaque bytes; like Tailscale's client, only the first 8 of a longer payload count. */
    private static Buffer eightBytes(Buffer payload, String type) throws DerpProtocolException {
        requireLength(payload, DerpLimits.PING_DATA_LEN, type);
        return payload.slice(0, DerpLimits.PING_DATA_LEN);
    }

    /** An IPv4-mapped address comes back as the IPv4 address (InetAddress unmaps it). */
    private static InetSocketAddress endpoint(byte[] ip16, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip16), port);
        } catch (UnknownHostException e) {
            return null; // unreachable: 16 bytes are always a valid IPv6 address
        }
    }

    private static void requireLength(Buffer payload, int min, String type) throws DerpProtocolException {
        if (payload.length() < min) {
            throw new DerpProtocolException("short_frame",
                    type + " frame of " + payload.length() + " bytes, shorter than " + min);
        }
    }
}
