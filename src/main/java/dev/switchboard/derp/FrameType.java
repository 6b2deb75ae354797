package dev.switchboard.derp;

/**
 * DERP frame types (tailscale/tailscale derp/derp.go). Every frame on the wire is
 * {@code type(1) ‖ length(uint32 BE) ‖ payload(length)}; the payload layout of each type is given beside it.
 */
public enum FrameType {
    /** S→C: magic(8) ‖ server public key(32) ‖ optional reserved bytes. First frame, also in fast start. */
    SERVER_KEY(0x01),
    /** C→S: client public key(32) ‖ nonce(24) ‖ box(JSON ClientInfo). Must be the first client frame. */
    CLIENT_INFO(0x02),
    /** S→C: nonce(24) ‖ box(JSON ServerInfo). Sent after admission and registration. */
    SERVER_INFO(0x03),
    /** C→S: destination key(32) ‖ packet. */
    SEND_PACKET(0x04),
    /** S→C: source key(32) ‖ packet (protocol v2 layout). */
    RECV_PACKET(0x05),
    /** S→C: empty; sent every 60 s plus per-connection jitter so clients' 120 s read deadline never fires. */
    KEEP_ALIVE(0x06),
    /** C→S: one byte, 1 = this server is the client's home DERP. Stats only. */
    NOTE_PREFERRED(0x07),
    /** S→C: peer key(32) ‖ reason(1); servers before v1.40 sent the key only. */
    PEER_GONE(0x08),
    /** S→C, watchers only: peer key(32) ‖ IPv6 or IPv4-mapped address(16) ‖ port(2) ‖ flags(1). */
    PEER_PRESENT(0x09),
    /** Mesh peer → S: source key(32) ‖ destination key(32) ‖ packet. Mesh privilege required. */
    FORWARD_PACKET(0x0a),
    /** C→S: empty. Subscribe to PeerPresent/PeerGone for all local clients. Mesh privilege required. */
    WATCH_CONNS(0x10),
    /** C→S: target key(32). Close every local connection of that key. Mesh privilege required. */
    CLOSE_PEER(0x11),
    /** Either direction: 8 opaque bytes (a client may append up to 992 ignored bytes). */
    PING(0x12),
    /** Answer to PING: the 8 bytes echoed. */
    PONG(0x13),
    /** S→C: UTF-8 problem text, empty clears it. */
    HEALTH(0x14),
    /** S→C: reconnectIn millis(uint32) ‖ tryFor millis(uint32). Sent when the server is about to restart. */
    RESTARTING(0x15);

    private static final FrameType[] BY_CODE = new FrameType[256];

    static {
        for (FrameType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    /** The type byte on the wire. */
    public int code() {
        return code;
    }

    /** The frame type for a wire byte, or {@code null} for a type this protocol version does not define. */
    public static FrameType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
