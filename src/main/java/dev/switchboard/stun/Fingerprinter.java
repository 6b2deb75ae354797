package dev.switchboard.stun;

import io.netty.buffer.ByteBuf;

import java.util.zip.CRC32;

/**
 * FINGERPRINT values (RFC 8489 §14.7: CRC-32 of the message up to the attribute, XOR 0x5354554e) computed from a
 * {@link ByteBuf} without allocating: the bytes pass through a small reused array into {@link CRC32}'s intrinsic.
 * Not thread-safe; the responder keeps one per socket, on that socket's event loop.
 */
final class Fingerprinter {
    private final CRC32 crc = new CRC32();
    private final byte[] chunk = new byte[256];

    /** The FINGERPRINT for the {@code length} bytes of {@code message} from {@code index}. */
    int of(ByteBuf message, int index, int length) {
        crc.reset();
        for (int done = 0; done < length; ) {
            int n = Math.min(chunk.length, length - done);
            message.getBytes(index + done, chunk, 0, n);
            crc.update(chunk, 0, n);
            done += n;
        }
        return (int) crc.getValue() ^ StunCodec.FINGERPRINT_XOR;
    }
}
