package dev.switchboard.derp;

import java.time.Duration;

/** Wire constants and limits of DERP protocol version 2 (tailscale/tailscale derp/derp.go). */
public final class DerpLimits {
    /** Maximum payload of one data packet, excluding DERP framing and keys. */
    public static final int MAX_PACKET_SIZE = 64 << 10;
    /** type(1) ‖ length(4). */
    public static final int FRAME_HEADER_LEN = 5;
    /** Curve25519 public key length. */
    public static final int KEY_LEN = 32;
    /** NaCl box nonce length. */
    public static final int NONCE_LEN = 24;
    /** Protocol version sent in ServerInfo; v2 = RecvPacket carries the source key. */
    public static final int PROTOCOL_VERSION = 2;
    /** "DERP🔑" — the magic that opens the ServerKey frame. */
    public static final byte[] MAGIC = {0x44, 0x45, 0x52, 0x50, (byte) 0xf0, (byte) 0x9f, (byte) 0x94, (byte) 0x91};
    /**
     * Server-side bounds on the ClientInfo frame: key + nonce at least, 256 KiB at most: derper's
     * {@code recvClientKey} ({@code minLen = keyLen + nonceLen}, {@code fl > 256<<10}), Tailscale's `derp/derp_server.go`.
     */
    public static final int MIN_CLIENT_INFO_LEN = KEY_LEN + NONCE_LEN;
    public static final int MAX_CLIENT_INFO_LEN = 256 << 10;
    /** Client-side limit on any server frame ("unexpectedly large frame"). */
    public static final int MAX_SERVER_FRAME_LEN = 1 << 20;
    /** Client-side limit on the ServerKey frame. */
    public static final int MAX_SERVER_KEY_FRAME_LEN = 1024;
    /** Ping payload: 8 echoed bytes, up to 1000 accepted. */
    public static final int PING_DATA_LEN = 8;
    public static final int MAX_PING_LEN = 1000;
    /**
     * Base keep-alive interval; each connection adds a jitter chosen once in [0, KEEP_ALIVE_JITTER): derper's
     * {@code keepAlive + rand.N(5 * time.Second)} in {@code sendLoop} (Tailscale's `derp/derp_server.go`).
     */
    public static final Duration KEEP_ALIVE = Duration.ofSeconds(60);
    public static final Duration KEEP_ALIVE_JITTER = Duration.ofSeconds(5);
    /** Deadline for sending ServerKey and reading ClientInfo. */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Per-frame write deadline towards normal clients and towards mesh peers: derper's {@code writeTimeout} and
     * {@code privilegedWriteTimeout} (Tailscale's `derp/derp_server.go`).
     */
    public static final Duration WRITE_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration MESH_WRITE_TIMEOUT = Duration.ofSeconds(30);
    /** Per-connection depth of each send queue (normal and disco): derper's {@code perClientSendQueueDepth}. */
    public static final int DEFAULT_PER_CLIENT_SEND_QUEUE_DEPTH = 32;
    /** PeerGone frame length with the reason byte (v1.40+). */
    public static final int PEER_GONE_LEN = KEY_LEN + 1;
    /** An IP address in PeerPresent: IPv6, or IPv4 as an IPv4-mapped IPv6 address ({@code netip.Addr.As16}). */
    public static final int IPV6_ADDRESS_LEN = 16;
    /** A port in PeerPresent: uint16 big-endian. */
    public static final int PORT_LEN = 2;
    /**
     * PeerPresent frame length with address, port and flags (v1.70+): derper's {@code peerPresentFrameLen =
     * keyLen + 16 + 2 + 1} (Tailscale's `derp/derp_server.go`).
     */
    public static final int PEER_PRESENT_LEN = KEY_LEN + IPV6_ADDRESS_LEN + PORT_LEN + 1;
    /** Restarting frame: reconnectIn(4) ‖ tryFor(4). */
    public static final int RESTARTING_LEN = 8;

    private DerpLimits() {
    }
}
