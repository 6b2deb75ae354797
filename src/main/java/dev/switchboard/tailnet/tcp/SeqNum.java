package dev.switchboard.tailnet.tcp;

/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4). Sequence numbers are held in a Java
 * {@code int}; comparisons use the sign of the 32-bit difference (RFC 1982 serial-number style),
 * so they are correct across the wrap as long as the two values are less than 2^31 apart, which
 * the window (at most 2^30 with RFC 7323 §2.3 scaling) guarantees for every comparison TCP makes.
 */
public final class SeqNum {
    private SeqNum() {
    }

    /** {@code a < b} modulo 2^32. */
    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    /** {@code a <= b} modulo 2^32. */
    public static boolean le(int a, int b) {
        return a - b <= 0;
    }

    /** {@code a > b} modulo 2^32. */
    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    /** {@code a >= b} modulo 2^32. */
    public static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    /** {@code a + n} modulo 2^32; {@code n} may be negative. */
    public static int add(int a, int n) {
        return a + n;
    }

    /** The signed distance {@code a - b} modulo 2^32, in [-2^31, 2^31). */
    public static int diff(int a, int b) {
        return a - b;
    }

    /**
     * {@code low <= x < high} modulo 2^32: the form of RFC 9293 §3.4's acceptability tests, e.g.
     * {@code RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND}. An empty range ({@code low == high}) holds nothing.
     */
    public static boolean inWindow(int low, int x, int high) {
        return Integer.compareUnsigned(x - low, high - low) < 0;
    }

    /** The later of two sequence numbers. */
    public static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    /** The earlier of two sequence numbers. */
    public static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }

    /** Unsigned rendering for logs and test messages. */
    public static String toString(int seq) {
        return Integer.toUnsignedString(seq);
    }
}
