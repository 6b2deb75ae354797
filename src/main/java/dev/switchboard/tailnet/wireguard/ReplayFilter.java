package dev.switchboard.tailnet.wireguard;

/**
 * Sliding-window replay filter, exactly wireguard-go {@code replay/replay.go} (RFC 6479): a ring of 128 blocks of 64
 * bits, window (128 − 1) × 64 = 8128 counters. Counters are unsigned 64-bit. No allocation after construction.
 *
 * <p>Owned by one keypair's receive path (the caller's event loop); not thread-safe.
 */
public final class ReplayFilter {
    static final int BLOCK_BIT_LOG = 6;
    static final int BLOCK_BITS = 1 << BLOCK_BIT_LOG;
    static final int RING_BLOCKS = 1 << 7;
    public static final int WINDOW_SIZE = (RING_BLOCKS - 1) * BLOCK_BITS;
    static final int BLOCK_MASK = RING_BLOCKS - 1;
    static final int BIT_MASK = BLOCK_BITS - 1;

    private long last;
    private final long[] ring = new long[RING_BLOCKS];

    /** {@code Reset}: clears {@code last} and block 0 only, as upstream does. */
    public void reset() {
        last = 0;
        ring[0] = 0;
    }

    /**
     * Would {@link #validateCounter} accept {@code counter}? Same test without marking, so that a packet can be
     * rejected before the AEAD runs without changing state.
     */
    public boolean mightAccept(long counter, long limit) {
        if (Long.compareUnsigned(counter, limit) >= 0) {
            return false;
        }
        if (Long.compareUnsigned(counter, last) > 0) {
            return true;
        }
        if (Long.compareUnsigned(last - counter, WINDOW_SIZE) > 0) {
            return false;
        }
        int indexBlock = (int) ((counter >>> BLOCK_BIT_LOG) & BLOCK_MASK);
        return (ring[indexBlock] & (1L << (counter & BIT_MASK))) == 0;
    }

    /** {@code ValidateCounter}: true if {@code counter} is new and inside the window; marks it seen. */
    public boolean validateCounter(long counter, long limit) {
        if (Long.compareUnsigned(counter, limit) >= 0) {
            return false;
        }
        long indexBlock = counter >>> BLOCK_BIT_LOG;
        if (Long.compareUnsigned(counter, last) > 0) {
            long current = last >>> BLOCK_BIT_LOG;
            long diff = indexBlock - current;
            if (Long.compareUnsigned(diff, RING_BLOCKS) > 0) {
                diff = RING_BLOCKS;
            }
            for (long i = current + 1; Long.compareUnsigned(i, current + diff) <= 0; i++) {
                ring[(int) (i & BLOCK_MASK)] = 0;
            }
            last = counter;
        } else if (Long.compareUnsigned(last - counter, WINDOW_SIZE) > 0) {
            return false;
        }
        int block = (int) (indexBlock & BLOCK_MASK);
        long old = ring[block];
        long updated = old | (1L << (counter & BIT_MASK));
        ring[block] = updated;
        return old != updated;
    }
}
