package dev.switchboard.tailnet.tcp;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeqNumTest {
    private static final int TOP = 0xffffffff; // 2^32 - 1

    @Test
    void comparesAcrossTheWrap() {
        assertTrue(SeqNum.lt(TOP, 0));
        assertTrue(SeqNum.lt(TOP - 10, 5));
        assertTrue(SeqNum.gt(5, TOP - 10));
        assertTrue(SeqNum.le(TOP, TOP));
        assertTrue(SeqNum.ge(0, TOP));
        assertFalse(SeqNum.lt(0, TOP));
        assertFalse(SeqNum.gt(TOP, 0));
        // signed ints would say the opposite: Integer.MAX_VALUE < Integer.MIN_VALUE modulo 2^32
        assertTrue(SeqNum.lt(Integer.MAX_VALUE, Integer.MIN_VALUE));
    }

    @Test
    void addAndDiffWrap() {
        assertEquals(4, SeqNum.add(TOP - 5, 10));
        assertEquals(TOP - 5, SeqNum.add(4, -10));
        assertEquals(10, SeqNum.diff(4, TOP - 5));
        assertEquals(-10, SeqNum.diff(TOP - 5, 4));
        assertEquals("4294967295", SeqNum.toString(TOP));
    }

    @Test
    void halfTheSpaceApartIsTheEdge() {
        // 2^31 - 1 ahead is still "later"; exactly 2^31 apart is the undefined point of RFC 1982,
        // which TCP never reaches since windows are at most 2^30 (RFC 7323 §2.3)
        assertTrue(SeqNum.gt(SeqNum.add(100, Integer.MAX_VALUE), 100));
        assertTrue(SeqNum.lt(SeqNum.add(100, Integer.MIN_VALUE + 1), 100));
    }

    @Test
    void inWindowIsHalfOpenAndWraps() {
        int low = TOP - 2;
        int high = SeqNum.add(low, 5); // {TOP-2, TOP-1, TOP, 0, 1}
        assertTrue(SeqNum.inWindow(low, low, high));
        assertTrue(SeqNum.inWindow(low, 0, high));
        assertTrue(SeqNum.inWindow(low, 1, high));
        assertFalse(SeqNum.inWindow(low, 2, high));
        assertFalse(SeqNum.inWindow(low, low - 1, high));
        assertFalse(SeqNum.inWindow(low, low, low)); // zero window holds nothing (RFC 9293 §3.10.7.4)
    }

    @Test
    void agreesWithLongArithmeticNearAnyBase() {
        Random random = new Random(9293);
        for (int i = 0; i < 100_000; i++) {
            int base = random.nextInt();
            int d = random.nextInt(1 << 30) - (1 << 29);
            int other = SeqNum.add(base, d);
            assertEquals(d < 0, SeqNum.lt(other, base));
            assertEquals(d > 0, SeqNum.gt(other, base));
            assertEquals(d, SeqNum.diff(other, base));
            assertEquals(d >= 0 ? other : base, SeqNum.max(other, base));
            assertEquals(d >= 0 ? base : other, SeqNum.min(other, base));
        }
    }
}
