package dev.switchboard.derp;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A 32-byte Curve25519 node public key (tailscale/tailscale types/key). Immutable; usable as a map key.
 * Text forms: {@code nodekey:<64 hex>} and bare 64 hex (Derp-Public-Key header, meta-certificate CN).
 */
public final class NodeKey {
    public static final String TEXT_PREFIX = "nodekey:";

    private final byte[] bytes;
    private final int hash;

    private NodeKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    public static NodeKey of(byte[] raw) {
        if (raw.length != DerpLimits.KEY_LEN) {
            throw new IllegalArgumentException("node key must be 32 bytes, got " + raw.length);
        }
        return new NodeKey(raw.clone());
    }

    /**
     * Tailscale's binary form ({@code types/key/node.go} {@code MarshalBinary}): ASCII {@code np} then the 32 raw
     * bytes, as Coder's coordinator {@code Node.key} carries it.
     */
    public byte[] toBinary() {
        byte[] out = new byte[2 + DerpLimits.KEY_LEN];
        out[0] = 'n';
        out[1] = 'p';
        System.arraycopy(bytes, 0, out, 2, DerpLimits.KEY_LEN);
        return out;
    }

    /** The key in {@link #toBinary()}'s form, or empty when {@code binary} is not one. */
    public static Optional<NodeKey> fromBinary(byte[] binary) {
        if (binary.length != 2 + DerpLimits.KEY_LEN || binary[0] != 'n' || binary[1] != 'p') {
            return Optional.empty();
        }
        return Optional.of(new NodeKey(Arrays.copyOfRange(binary, 2, binary.length)));
    }

    /** Reads 32 bytes at {@code offset} of a frame payload. */
    public static NodeKey read(Buffer buffer, int offset) {
        return new NodeKey(buffer.getBytes(offset, offset + DerpLimits.KEY_LEN));
    }

    /** Parses bare hex or {@code nodekey:}-prefixed hex, upper or lower case. */
    public static NodeKey parse(String text) {
        String hex = text.startsWith(TEXT_PREFIX) ? text.substring(TEXT_PREFIX.length()) : text;
        if (hex.length() != 2 * DerpLimits.KEY_LEN) {
            throw new IllegalArgumentException("node key must be 64 hex digits");
        }
        return new NodeKey(HexFormat.of().parseHex(hex));
    }

    /** Whether {@code raw} holds this key's bytes; its hash is {@code Arrays.hashCode(raw)}, as this key's is. */
    boolean matches(byte[] raw) {
        return Arrays.equals(bytes, raw);
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Appends the raw key to a frame under construction. */
    public Buffer appendTo(Buffer buffer) {
        return buffer.appendBytes(bytes);
    }

    public void writeTo(ByteBuf buffer) {
        buffer.writeBytes(bytes);
    }

    /** Lowercase 64-hex form, as in the Derp-Public-Key header. */
    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    /** {@code [abcde]}: first five characters of the standard base64, Tailscale's short log form. */
    public String shortString() {
        return "[" + java.util.Base64.getEncoder().encodeToString(bytes).substring(0, 5) + "]";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NodeKey key && Arrays.equals(bytes, key.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return TEXT_PREFIX + toHex();
    }
}
