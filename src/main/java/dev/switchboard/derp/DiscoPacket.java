package dev.switchboard.derp;

import io.vertx.core.buffer.Buffer;

/**
 * Recognises Tailscale disco packets by their header: {@code "TS💬"} magic(6) ‖ sender disco key(32) ‖ nonce(24) ‖
 * box. The relay never opens them; the kind only picks the send queue, the metric label and the NotHere rule.
 */
public final class DiscoPacket {
    private static final byte[] MAGIC = {0x54, 0x53, (byte) 0xf0, (byte) 0x9f, (byte) 0x92, (byte) 0xac};
    private static final int MIN_LEN = MAGIC.length + DerpLimits.KEY_LEN + DerpLimits.NONCE_LEN;

    private DiscoPacket() {
    }

    /** Whether {@code length} bytes of {@code buffer} from {@code offset} look like a disco packet. */
    public static boolean looksLikeDisco(Buffer buffer, int offset, int length) {
        if (length < MIN_LEN) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (buffer.getByte(offset + i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** The disco magic, for tests and load tools that need disco-looking packets. */
    public static byte[] magic() {
        return MAGIC.clone();
    }
}
