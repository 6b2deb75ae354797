package dev.switchboard.derp;

import java.util.EnumMap;
import java.util.Map;

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

    /**
     * Limits from a table: {@code ranges} for the types listed, {@code otherwise} for every other type and for
     * undefined type bytes. The readers look a range up per frame: a table returns a constant, where building the
     * {@link Range} in the lambda cost an object per frame whenever escape analysis did not remove it.
     */
    static FrameLimits table(Map<FrameType, Range> ranges, Range otherwise) {
        EnumMap<FrameType, Range> table = new EnumMap<>(FrameType.class);
        table.putAll(ranges);
        return type -> type == null ? otherwise : table.getOrDefault(type, otherwise);
    }

    /** Before the handshake completes a server accepts exactly one frame: ClientInfo. */
    FrameLimits SERVER_HANDSHAKE = table(Map.of(FrameType.CLIENT_INFO,
            new Range(DerpLimits.MIN_CLIENT_INFO_LEN, DerpLimits.MAX_CLIENT_INFO_LEN)), REJECT);

    /** What a DERP server accepts from a handshaken client (Tailscale's `derp/derp_server.go`); the rest is skipped. */
    FrameLimits SERVER = table(Map.of(
            FrameType.SEND_PACKET, new Range(DerpLimits.KEY_LEN, DerpLimits.KEY_LEN + DerpLimits.MAX_PACKET_SIZE),
            FrameType.FORWARD_PACKET,
            new Range(2L * DerpLimits.KEY_LEN, 2L * DerpLimits.KEY_LEN + DerpLimits.MAX_PACKET_SIZE),
            FrameType.NOTE_PREFERRED, new Range(1, 1),
            FrameType.WATCH_CONNS, new Range(0, 0),
            FrameType.CLOSE_PEER, new Range(DerpLimits.KEY_LEN, DerpLimits.KEY_LEN),
            FrameType.PING, new Range(DerpLimits.PING_DATA_LEN, DerpLimits.MAX_PING_LEN)), SKIP);

    /** What a DERP client accepts from a server: any frame up to 1 MiB, ServerKey up to 1 KiB. */
    FrameLimits CLIENT = table(Map.of(
            FrameType.SERVER_KEY,
            new Range(DerpLimits.MAGIC.length + DerpLimits.KEY_LEN, DerpLimits.MAX_SERVER_KEY_FRAME_LEN),
            FrameType.SERVER_INFO,
            new Range(DerpLimits.NONCE_LEN, DerpLimits.NONCE_LEN + DerpLimits.MAX_SERVER_FRAME_LEN)),
            new Range(0, DerpLimits.MAX_SERVER_FRAME_LEN));
}
