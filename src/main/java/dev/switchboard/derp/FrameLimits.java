package dev.switchboard.derp;

/**
 * Which frames a reader accepts and how long each may be. {@link #SKIP} frames are read past whatever their length,
 * as the reference server skips types it does not handle; {@link #REJECT} frames end the connection.
 */
@FunctionalInterface
public interface FrameLimits {
    Range SKIP = new Range(0, Long.MAX_VALUE);
    Range REJECT = new Range(1, 0);

    /** The accepted payload length range of a frame type ({@code null} for an undefined type byte). */
    Range rangeOf(FrameType type);

    /** Inclusive payload length bounds. */
    record Range(long min, long max) {
        public boolean contains(long length) {
            return length >= min && length <= max;
        }
    }

    /** Before the handshake completes a server accepts exactly one frame: ClientInfo. */
    FrameLimits SERVER_HANDSHAKE = type -> type == FrameType.CLIENT_INFO
            ? new Range(DerpLimits.MIN_CLIENT_INFO_LEN, DerpLimits.MAX_CLIENT_INFO_LEN)
            : REJECT;

    /** What a DERP server accepts from a handshaken client (Tailscale's `derp/derp_server.go`). */
    FrameLimits SERVER = type -> {
        if (type == null) {
            return SKIP;
        }
        return switch (type) {
            case SEND_PACKET -> new Range(DerpLimits.KEY_LEN, DerpLimits.KEY_LEN + DerpLimits.MAX_PACKET_SIZE);
            case FORWARD_PACKET ->
                    new Range(2L * DerpLimits.KEY_LEN, 2L * DerpLimits.KEY_LEN + DerpLimits.MAX_PACKET_SIZE);
            case NOTE_PREFERRED -> new Range(1, 1);
            case WATCH_CONNS -> new Range(0, 0);
            case CLOSE_PEER -> new Range(DerpLimits.KEY_LEN, DerpLimits.KEY_LEN);
            case PING -> new Range(DerpLimits.PING_DATA_LEN, DerpLimits.MAX_PING_LEN);
            default -> SKIP;
        };
    };

    /** What a DERP client accepts from a server: any frame up to 1 MiB, ServerKey up to 1 KiB. */
    FrameLimits CLIENT = type -> {
        if (type == FrameType.SERVER_KEY) {
            return new Range(DerpLimits.MAGIC.length + DerpLimits.KEY_LEN, DerpLimits.MAX_SERVER_KEY_FRAME_LEN);
        }
        if (type == FrameType.SERVER_INFO) {
            return new Range(DerpLimits.NONCE_LEN, DerpLimits.NONCE_LEN + DerpLimits.MAX_SERVER_FRAME_LEN);
        }
        return new Range(0, DerpLimits.MAX_SERVER_FRAME_LEN);
    };
}
