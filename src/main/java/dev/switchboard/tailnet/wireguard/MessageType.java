package dev.switchboard.tailnet.wireguard;

/**
 * WireGuard message types and their sizes (wireguard-go {@code device/noise-protocol.go}: {@code MessageInitiationType}
 * … {@code MessageTransportType}, {@code MessageInitiationSize} …). Byte 0 is the type and bytes 1–3 are zero; wireguard-go
 * reads bytes 0–3 as one little-endian u32, so non-zero reserved bytes make a message unrecognised.
 */
public enum MessageType {
    INITIATION(1, 148),
    RESPONSE(2, 92),
    COOKIE_REPLY(3, 64),
    /** Header 16 + AEAD(packet ‖ padding) with its 16-byte tag; a keepalive is the 32-byte minimum. */
    TRANSPORT(4, 32);

    /** {@code MinMessageSize}: anything shorter is dropped before looking at the type. */
    public static final int MIN_MESSAGE_SIZE = 32;

    private final int wire;
    private final int size;

    MessageType(int wire, int size) {
        this.wire = wire;
        this.size = size;
    }

    public int wire() {
        return wire;
    }

    /** Exact size for types 1–3, minimum size for transport. */
    public int size() {
        return size;
    }

    /**
     * Validates the framing of a datagram: length ≥ 32, a known type with zero reserved bytes, the exact size for
     * handshake messages ({@code RoutineReceiveIncoming} in device/receive.go). Returns null if valid.
     */
    public static DropReason check(byte[] b, int offset, int length) {
        if (length < MIN_MESSAGE_SIZE) {
            return DropReason.TRUNCATED;
        }
        MessageType t = of(b, offset);
        if (t == null) {
            return DropReason.UNKNOWN_TYPE;
        }
        if (t != TRANSPORT && length != t.size) {
            return DropReason.BAD_SIZE;
        }
        return null;
    }

    /** The type of a datagram of at least 4 bytes, or null if bytes 0–3 are not a known type. */
    public static MessageType of(byte[] b, int offset) {
        if (b[offset + 1] != 0 || b[offset + 2] != 0 || b[offset + 3] != 0) {
            return null;
        }
        return switch (b[offset]) {
            case 1 -> INITIATION;
            case 2 -> RESPONSE;
            case 3 -> COOKIE_REPLY;
            case 4 -> TRANSPORT;
            default -> null;
        };
    }
}
