package dev.switchboard.tailnet.wireguard;

import java.time.Instant;
import java.time.InstantSource;

/**
 * TAI64N timestamps as wireguard-go {@code tai64n/tai64n.go} writes them into initiations: big-endian
 * {@code 0x400000000000000a + unix seconds} then big-endian nanoseconds with the low 24 bits cleared
 * ({@code whitenerMask}, ≈16.8 ms buckets, so the wall clock's fine resolution does not leak). The responder accepts an
 * initiation only if its timestamp is bytewise greater than the last one ({@link #after}).
 *
 * <p>{@link Stamper} never goes backwards: a wall clock stepped back yields the last stamp again (which the peer then
 * rejects as a replay until the clock catches up), never an older one. Owned by the caller's event loop.
 */
public final class Tai64n {
    public static final int SIZE = 12;
    /** TAI64 label base (2^62) plus the 10 s TAI−UTC offset wireguard-go adds ({@code base = 0x400000000000000a}). */
    static final long BASE = 0x400000000000000aL;
    static final int WHITENER_MASK = 0x1000000 - 1;

    private Tai64n() {
    }

    /** Encodes {@code seconds}/{@code nanos} since the Unix epoch, nanoseconds whitened ({@code tai64n.stamp}). */
    public static byte[] stamp(long unixSeconds, int nanos) {
        byte[] out = new byte[SIZE];
        long secs = BASE + unixSeconds;
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (secs >>> (56 - 8 * i));
        }
        int n = nanos & ~WHITENER_MASK;
        out[8] = (byte) (n >>> 24);
        out[9] = (byte) (n >>> 16);
        out[10] = (byte) (n >>> 8);
        out[11] = (byte) n;
        return out;
    }

    public static byte[] stamp(Instant t) {
        return stamp(t.getEpochSecond(), t.getNano());
    }

    /** {@code Timestamp.After}: true if {@code a} is bytewise (unsigned, big-endian) greater than {@code b}. */
    public static boolean after(byte[] a, byte[] b) {
        for (int i = 0; i < SIZE; i++) {
            int x = a[i] & 0xff;
            int y = b[i] & 0xff;
            if (x != y) {
                return x > y;
            }
        }
        return false;
    }

    /** Produces stamps that never decrease, even if the wall clock is stepped back. Owned by one peer's handshake. */
    public static final class Stamper {
        private final InstantSource clock;
        private byte[] last = new byte[SIZE];

        public Stamper(InstantSource clock) {
            this.clock = clock;
        }

        public byte[] next() {
            byte[] now = stamp(clock.instant());
            if (after(now, last)) {
                last = now;
            }
            return last.clone();
        }
    }
}
