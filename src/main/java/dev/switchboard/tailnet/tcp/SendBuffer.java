package dev.switchboard.tailnet.tcp;

/**
 * A connection's send buffer: a fixed ring holding bytes from SND.UNA on, both sent-unacknowledged
 * and not yet sent (RFC 9293 §3.3.1 Figure 3), so retransmission reads the same bytes again and
 * {@link #write} refuses what does not fit instead of growing. Owned by the connection's event loop.
 */
final class SendBuffer {
    private final byte[] ring;
    // owned by the connection's event loop
    private int start;
    private int size;

    SendBuffer(int capacity) {
        ring = new byte[capacity];
    }

    /** Appends up to {@code len} bytes; returns how many fit. */
    int write(byte[] src, int off, int len) {
        int n = Math.min(len, ring.length - size);
        int index = (start + size) % ring.length;
        int first = Math.min(n, ring.length - index);
        System.arraycopy(src, off, ring, index, first);
        System.arraycopy(src, off + first, ring, 0, n - first);
        size += n;
        return n;
    }

    /** Frees the first {@code n} bytes, now acknowledged. */
    void ack(int n) {
        if (n < 0 || n > size) {
            throw new IllegalArgumentException("ack of " + n + " with " + size + " buffered");
        }
        start = (start + n) % ring.length;
        size -= n;
    }

    /** Copies {@code len} bytes starting {@code offset} bytes after SND.UNA. */
    void copy(int offset, byte[] dst, int dstOff, int len) {
        int index = (start + offset) % ring.length;
        int first = Math.min(len, ring.length - index);
        System.arraycopy(ring, index, dst, dstOff, first);
        System.arraycopy(ring, 0, dst, dstOff + first, len - first);
    }

    int size() {
        return size;
    }

    int free() {
        return ring.length - size;
    }
}
