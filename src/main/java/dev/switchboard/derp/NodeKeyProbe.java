package dev.switchboard.derp;

import io.vertx.core.buffer.Buffer;

/**
 * A node key still in a frame, used to look it up in a map keyed by {@link NodeKey} without reading it out: it has the
 * key's hash, and it equals a {@link NodeKey} with the same bytes. Hash maps call {@code probe.equals(storedKey)},
 * which is all this supports; it is never a map key itself, and {@link NodeKey#equals} does not know it.
 *
 * <p>The relay looks up a destination per packet; reading it as a {@link NodeKey} cost a 32-byte array and an object
 * each time. One probe per connection is re-aimed with {@link #at} for every frame instead.
 *
 * <p>Mutable, not thread-safe: owned by one connection's event loop, and valid only while the buffer is.
 */
public final class NodeKeyProbe {
    private Buffer buffer;
    private int offset;
    private int hash;

    /** Points the probe at the 32 key bytes at {@code offset} of {@code frame}; returns it. */
    public NodeKeyProbe at(Buffer frame, int offset) {
        this.buffer = frame;
        this.offset = offset;
        this.hash = NodeKey.hashAt(frame, offset);
        return this;
    }

    /** The key as a {@link NodeKey} (a copy), for what outlives the frame. */
    public NodeKey toKey() {
        return NodeKey.read(buffer, offset);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NodeKey key && key.matches(buffer, offset);
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
