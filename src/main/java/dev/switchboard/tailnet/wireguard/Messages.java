package dev.switchboard.tailnet.wireguard;

/**
 * Field offsets and little-endian accessors for the four WireGuard messages (wireguard-go {@code
 * device/noise-protocol.go} structs {@code MessageInitiation}, {@code MessageResponse}, {@code MessageCookieReply},
 * {@code MessageTransport}; whitepaper §5.4.2–5.4.7). All multi-byte integers are little-endian. Stateless.
 */
public final class Messages {
    // Type 1, 148 bytes.
    public static final int INIT_SENDER = 4;
    public static final int INIT_EPHEMERAL = 8;
    public static final int INIT_STATIC = 40;          // 32 + 16 tag
    public static final int INIT_TIMESTAMP = 88;       // 12 + 16 tag
    public static final int INIT_MAC1 = 116;
    public static final int INIT_MAC2 = 132;
    // Type 2, 92 bytes.
    public static final int RESP_SENDER = 4;
    public static final int RESP_RECEIVER = 8;
    public static final int RESP_EPHEMERAL = 12;
    public static final int RESP_EMPTY = 44;           // 0 + 16 tag
    public static final int RESP_MAC1 = 60;
    public static final int RESP_MAC2 = 76;
    // Type 3, 64 bytes.
    public static final int COOKIE_RECEIVER = 4;
    public static final int COOKIE_NONCE = 8;          // 24
    public static final int COOKIE_ENCRYPTED = 32;     // 16 + 16 tag
    public static final int COOKIE_NONCE_SIZE = 24;
    public static final int COOKIE_SIZE = 16;
    // Type 4.
    public static final int TRANSPORT_RECEIVER = 4;
    public static final int TRANSPORT_COUNTER = 8;
    public static final int TRANSPORT_HEADER_SIZE = 16;
    public static final int TAG_SIZE = 16;
    /** {@code MessageTransportOffsetContent} + tag: the overhead of a transport message. */
    public static final int TRANSPORT_OVERHEAD = TRANSPORT_HEADER_SIZE + TAG_SIZE;

    private Messages() {
    }

    /** Writes type in byte 0 and zeros in bytes 1–3. */
    public static void putType(byte[] b, int offset, MessageType type) {
        b[offset] = (byte) type.wire();
        b[offset + 1] = 0;
        b[offset + 2] = 0;
        b[offset + 3] = 0;
    }

    public static int getU32(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }

    public static void putU32(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
        b[i + 2] = (byte) (v >>> 16);
        b[i + 3] = (byte) (v >>> 24);
    }

    public static long getU64(byte[] b, int i) {
        return (getU32(b, i) & 0xffffffffL) | ((long) getU32(b, i + 4) << 32);
    }

    public static void putU64(byte[] b, int i, long v) {
        putU32(b, i, (int) v);
        putU32(b, i + 4, (int) (v >>> 32));
    }

    /** The receiver index of a response, cookie reply or transport message (all at offset 4 or 8). */
    public static int receiverIndex(byte[] b, int offset, MessageType type) {
        return switch (type) {
            case RESPONSE -> getU32(b, offset + RESP_RECEIVER);
            case COOKIE_REPLY -> getU32(b, offset + COOKIE_RECEIVER);
            case TRANSPORT -> getU32(b, offset + TRANSPORT_RECEIVER);
            case INITIATION -> throw new IllegalArgumentException("an initiation has no receiver index");
        };
    }

    /** Offset of mac1 within a handshake message ({@code smac1}); mac2 follows it. */
    public static int mac1Offset(MessageType type) {
        return switch (type) {
            case INITIATION -> INIT_MAC1;
            case RESPONSE -> RESP_MAC1;
            default -> throw new IllegalArgumentException(type + " carries no MACs");
        };
    }

    /** Writes a transport header: type 4, receiver index, counter (little-endian). */
    public static void putTransportHeader(byte[] b, int offset, int receiverIndex, long counter) {
        putType(b, offset, MessageType.TRANSPORT);
        putU32(b, offset + TRANSPORT_RECEIVER, receiverIndex);
        putU64(b, offset + TRANSPORT_COUNTER, counter);
    }
}
