package dev.switchboard.coordinator.client;

import com.google.protobuf.ByteString;
import dev.switchboard.coordinator.proto.CoordinateRequest;
import dev.switchboard.coordinator.proto.Node;

import java.nio.ByteBuffer;
import java.util.UUID;

/** Wire helpers: UUIDs as 16 raw bytes (coder/coder `tailnet/proto/tailnet.proto`: {@code bytes id}), requests. */
final class Wire {
    private Wire() {
    }

    static ByteString bytes(UUID id) {
        return ByteString.copyFrom(ByteBuffer.allocate(16).putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits()).array());
    }

    /** The UUID in 16 raw bytes, or null when the bytes are not one. */
    static UUID uuid(ByteString bytes) {
        if (bytes.size() != 16) {
            return null;
        }
        ByteBuffer buffer = bytes.asReadOnlyByteBuffer();
        return new UUID(buffer.getLong(), buffer.getLong());
    }

    static CoordinateRequest updateSelf(Node node) {
        return CoordinateRequest.newBuilder().setUpdateSelf(CoordinateRequest.UpdateSelf.newBuilder().setNode(node))
                .build();
    }

    static CoordinateRequest tunnel(UUID dst, boolean add) {
        CoordinateRequest.Tunnel tunnel = CoordinateRequest.Tunnel.newBuilder().setId(bytes(dst)).build();
        return add ? CoordinateRequest.newBuilder().setAddTunnel(tunnel).build()
                : CoordinateRequest.newBuilder().setRemoveTunnel(tunnel).build();
    }

    static UUID parseUuid(String text) {
        try {
            return text == null ? null : UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
