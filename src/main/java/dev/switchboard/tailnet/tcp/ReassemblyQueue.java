package dev.switchboard.tailnet.tcp;

/**
 * A connection's receive buffer: a fixed ring of {@code capacity} bytes holding data the reader
 * has not consumed yet, in order up to RCV.NXT and out of order above it, with the out-of-order
 * ranges kept so they can be merged, reported as SACK blocks (RFC 2018 §4) and delivered once the
 * hole before them fills (RFC 9293 §3.10.7.4: segments beyond RCV.NXT are held, not dropped).
 *
 * <p>The ring spans sequence numbers [head, head + capacity) where head is the first unread byte,
 * so the receive window, RCV.WND = head + capacity − RCV.NXT, grows only as the reader consumes
 * and its right edge never moves left (RFC 9293 §3.8.6: a receiver should not shrink the window).
 * Bytes outside the window are trimmed; duplicates overwrite identical bytes. At most
 * {@code maxRanges} disjoint out-of-order ranges are tracked; a segment that would need one more
 * is dropped, which bounds the bookkeeping an attacker can force. Owned by the connection's
 * event loop; the only allocation is the ring and range arrays in the constructor.
 */
public final class ReassemblyQueue {
    private final byte[] ring;
    private final int maxRanges;
    // owned by the connection's event loop
    private final int[] starts;
    private final int[] ends;
    private final long[] stamps;
    private int rangeCount;
    private long clock;
    private int head;
    private int headIndex;
    private int rcvNxt;

    public ReassemblyQueue(int capacity, int maxRanges, int initialSeq) {
        if (capacity <= 0 || maxRanges <= 0) {
            throw new IllegalArgumentException("capacity and maxRanges must be positive");
        }
        this.ring = new byte[capacity];
        this.maxRanges = maxRanges;
        this.starts = new int[maxRanges + 1];
        this.ends = new int[maxRanges + 1];
        this.stamps = new long[maxRanges + 1];
        reset(initialSeq);
    }

    /** Empties the buffer; {@code initialSeq} is the first data sequence number, IRS + 1. */
    public void reset(int initialSeq) {
        head = initialSeq;
        rcvNxt = initialSeq;
        headIndex = 0;
        rangeCount = 0;
    }

    /**
     * Accepts {@code len} bytes of data sent at sequence number {@code seq}, keeping the part
     * inside the window. Returns how far RCV.NXT advanced (0 for out-of-order, duplicate,
     * out-of-window or dropped data).
     */
    public int offer(int seq, byte[] src, int off, int len) {
        int start = seq;
        int end = seq + len;
        int limit = head + ring.length;
        if (len <= 0 || SeqNum.le(end, rcvNxt) || SeqNum.ge(start, limit)) {
            return 0;
        }
        if (SeqNum.lt(start, rcvNxt)) {
            off += rcvNxt - start;
            start = rcvNxt;
        }
        if (SeqNum.gt(end, limit)) {
            end = limit;
        }
        if (!insertRange(start, end)) {
            return 0;
        }
        copyIn(start, src, off, end - start);
        if (starts[0] == rcvNxt) {
            int before = rcvNxt;
            rcvNxt = ends[0];
            removeRanges(0, 1);
            return rcvNxt - before;
        }
        return 0;
    }

    /** Copies up to {@code len} in-order bytes to {@code dst}, freeing window; returns the count. */
    public int read(byte[] dst, int off, int len) {
        int n = Math.min(len, readable());
        int first = Math.min(n, ring.length - headIndex);
        System.arraycopy(ring, headIndex, dst, off, first);
        System.arraycopy(ring, 0, dst, off + first, n - first);
        head += n;
        headIndex = (headIndex + n) % ring.length;
        return n;
    }

    /** In-order bytes waiting for the reader. */
    public int readable() {
        return rcvNxt - head;
    }

    /** RCV.NXT: the next sequence number expected, the end of the contiguous data. */
    public int rcvNxt() {
        return rcvNxt;
    }

    /** RCV.WND: room from RCV.NXT to the window's right edge. */
    public int window() {
        return ring.length - readable();
    }

    public int capacity() {
        return ring.length;
    }

    /** Bytes held above RCV.NXT, waiting for a hole to fill. */
    public int outOfOrderBytes() {
        int sum = 0;
        for (int i = 0; i < rangeCount; i++) {
            sum += ends[i] - starts[i];
        }
        return sum;
    }

    public int outOfOrderRanges() {
        return rangeCount;
    }

    /**
     * Writes up to {@code max} SACK blocks as (left, right) pairs into {@code edges}, most
     * recently changed first (RFC 2018 §4): the first block holds the latest out-of-order
     * segment, and the rest repeat recent blocks so a lost ACK does not lose their news.
     */
    public int sackBlocks(int[] edges, int max) {
        int n = Math.min(max, rangeCount);
        long bound = Long.MAX_VALUE;
        for (int k = 0; k < n; k++) {
            int best = -1;
            for (int i = 0; i < rangeCount; i++) {
                if (stamps[i] < bound && (best < 0 || stamps[i] > stamps[best])) {
                    best = i;
                }
            }
            edges[2 * k] = starts[best];
            edges[2 * k + 1] = ends[best];
            bound = stamps[best];
        }
        return n;
    }

    /** Merges [start, end) into the sorted ranges; false when it would exceed {@code maxRanges}. */
    private boolean insertRange(int start, int end) {
        int i = 0;
        while (i < rangeCount && SeqNum.lt(ends[i], start)) {
            i++;
        }
        int j = i;
        while (j < rangeCount && SeqNum.le(starts[j], end)) {
            j++;
        }
        // ranges i..j-1 overlap or touch [start, end)
        if (i == j) {
            if (rangeCount == maxRanges && start != rcvNxt) {
                return false;
            }
            System.arraycopy(starts, i, starts, i + 1, rangeCount - i);
            System.arraycopy(ends, i, ends, i + 1, rangeCount - i);
            System.arraycopy(stamps, i, stamps, i + 1, rangeCount - i);
            rangeCount++;
            starts[i] = start;
            ends[i] = end;
        } else {
            starts[i] = SeqNum.min(starts[i], start);
            ends[i] = SeqNum.max(ends[j - 1], end);
            removeRanges(i + 1, j - i - 1);
        }
        stamps[i] = ++clock;
        return true;
    }

    private void removeRanges(int from, int count) {
        int tail = rangeCount - from - count;
        System.arraycopy(starts, from + count, starts, from, tail);
        System.arraycopy(ends, from + count, ends, from, tail);
        System.arraycopy(stamps, from + count, stamps, from, tail);
        rangeCount -= count;
    }

    private void copyIn(int seq, byte[] src, int off, int len) {
        int index = (int) ((headIndex + (long) (seq - head)) % ring.length);
        int first = Math.min(len, ring.length - index);
        System.arraycopy(src, off, ring, index, first);
        System.arraycopy(src, off + first, ring, 0, len - first);
    }
}
