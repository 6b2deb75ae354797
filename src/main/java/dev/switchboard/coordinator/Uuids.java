package dev.switchboard.coordinator;

import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.util.UUID;

/** Tailnet v2 carries UUIDs as 16 raw bytes. */
public final class Uuids {
    private Uuids() {
    }

    public static ByteString bytes(UUID id) {
        return ByteString.copyFrom(ByteBuffer.allocate(16).putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits()).array());
    }

    /** The UUID in 16 raw bytes, or null when the bytes are not a UUID. */
    public static UUID uuid(ByteString bytes) {
        if (bytes.size() != 16) {
            return null;
        }
        ByteBuffer buffer = bytes.asReadOnlyByteBuffer();
        return new UUID(buffer.getLong(), buffer.getLong());
    }
}
