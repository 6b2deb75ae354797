package dev.switchboard.derp;

import io.vertx.core.buffer.Buffer;

import java.util.Arrays;

/**
 * A node key still in a frame, used to look it up in a map keyed by {@link NodeKey} without reading it out: it has the
 * key's hash, and it equals a {@link NodeKey} with the same bytes. Hash maps call {@code probe.equals(storedKey)},
 * which is all this supports; it is never a map key itself, and {@link NodeKey#equals} does not know it.
 *
 * <p>The relay looks up a destination per packet; reading it as a {@link NodeKey} cost a 32-byte array and an object
 * each time. One probe per connection is re-aimed with {@link #at} for every frame instead.
 *
 * <p>Mutable, not thread-safe: owned by one connection's event loop.
 */
public final class NodeKeyProbe {
    /**
     * The key's bytes, copied into this one array with one bulk read: cheaper than 32 single-byte reads for the hash
     * and 32 more for equality, each bounds-checked (and, under Netty's paranoid leak detection, each recorded).
     */
    private final byte[] bytes = new byte[DerpLimits.KEY_LEN];
    private int hash;

    /** Points the probe at the 32 key bytes at {@code offset} of {@code frame}; returns it. */
    public NodeKeyProbe at(Buffer frame, int offset) {
        frame.getBytes(offset, offset + DerpLimits.KEY_LEN, bytes, 0);
        hash = Arrays.hashCode(bytes); // NodeKey's hash
        return this;
    }

    /** The key as a {@link NodeKey} (a copy), for what outlives the frame. */
    public NodeKey toKey() {
        return NodeKey.of(bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NodeKey key && key.matches(bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "probe of " + toKey();
    }
}
