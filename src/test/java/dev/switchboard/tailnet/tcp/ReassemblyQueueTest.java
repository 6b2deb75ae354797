package dev.switchboard.tailnet.tcp;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReassemblyQueueTest {
    private static final int ISN = 0xffffff00; // wraps through 0 within the first 256 bytes

    private static byte[] stream(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static int offer(ReassemblyQueue q, byte[] data, int from, int to) {
        return q.offer(ISN + from, data, from, to - from);
    }

    private static byte[] readAll(ReassemblyQueue q) {
        byte[] out = new byte[q.readable()];
        assertEquals(out.length, q.read(out, 0, out.length));
        return out;
    }

    @Test
    void holeFillDeliversEverythingBehindIt() {
        byte[] data = stream(1000, 1);
        ReassemblyQueue q = new ReassemblyQueue(4096, 8, ISN);
        assertEquals(0, offer(q, data, 300, 600));
        assertEquals(0, offer(q, data, 700, 1000));
        assertEquals(ISN, q.rcvNxt());
        assertEquals(600, q.outOfOrderBytes());
        assertEquals(0, q.readable());
        assertEquals(600, offer(q, data, 0, 300)); // 0..300 touches 300..600: both delivered
        assertEquals(ISN + 600, q.rcvNxt());
        assertEquals(400, offer(q, data, 600, 700)); // fills the second hole, 600..1000 delivered
        assertEquals(0, q.outOfOrderRanges());
        assertArrayEquals(data, readAll(q));
    }

    @Test
    void duplicatesOverlapsAndOldDataAreTrimmed() {
        byte[] data = stream(100, 2);
        ReassemblyQueue q = new ReassemblyQueue(4096, 8, ISN);
        assertEquals(50, offer(q, data, 0, 50));
        assertEquals(0, offer(q, data, 0, 50));   // full duplicate
        assertEquals(0, offer(q, data, 10, 40));  // old data inside what was received
        assertEquals(10, offer(q, data, 40, 60)); // overlaps RCV.NXT: only 50..60 is new
        assertEquals(0, offer(q, data, 70, 80));
        assertEquals(0, offer(q, data, 65, 90));  // covers the held range and extends it both ways
        assertEquals(1, q.outOfOrderRanges());
        assertEquals(40, offer(q, data, 55, 100));
        assertArrayEquals(data, readAll(q));
    }

    @Test
    void windowShrinksWithDataAndReopensOnlyAsTheReaderConsumes() {
        byte[] data = stream(300, 3);
        ReassemblyQueue q = new ReassemblyQueue(200, 8, ISN);
        assertEquals(200, q.window());
        assertEquals(0, offer(q, data, 150, 300)); // 200..300 lies beyond the right edge
        assertEquals(50, q.outOfOrderBytes());
        assertEquals(200, offer(q, data, 0, 150)); // with the held 150..200
        assertEquals(200, q.readable());
        assertEquals(0, q.window());
        assertEquals(0, offer(q, data, 200, 300)); // zero window: nothing accepted
        byte[] part = new byte[120];
        assertEquals(120, q.read(part, 0, 120));
        assertArrayEquals(Arrays.copyOf(data, 120), part);
        assertEquals(120, q.window());
        int rightEdge = q.rcvNxt() + q.window();
        assertEquals(ISN + 320, rightEdge);
        assertEquals(100, offer(q, data, 200, 300));
        assertEquals(rightEdge, q.rcvNxt() + q.window()); // receiving never moves the edge left
    }

    @Test
    void sackBlocksAreMostRecentFirst() {
        byte[] data = stream(1000, 4);
        ReassemblyQueue q = new ReassemblyQueue(4096, 8, ISN);
        offer(q, data, 0, 100);
        offer(q, data, 200, 300); // A
        offer(q, data, 400, 500); // B
        offer(q, data, 600, 700); // C
        int[] edges = new int[8];
        assertEquals(3, q.sackBlocks(edges, 4));
        assertArrayEquals(new int[] {ISN + 600, ISN + 700, ISN + 400, ISN + 500, ISN + 200, ISN + 300},
                Arrays.copyOf(edges, 6));
        offer(q, data, 300, 350); // extends A, which becomes the most recent block
        assertEquals(2, q.sackBlocks(edges, 2)); // only two requested: the oldest is left out
        assertArrayEquals(new int[] {ISN + 200, ISN + 350, ISN + 600, ISN + 700}, Arrays.copyOf(edges, 4));
        offer(q, data, 350, 400); // joins A and B
        assertEquals(2, q.sackBlocks(edges, 4));
        assertArrayEquals(new int[] {ISN + 200, ISN + 500, ISN + 600, ISN + 700}, Arrays.copyOf(edges, 4));
        offer(q, data, 100, 200); // fills the hole: the joined block is delivered, no longer SACKed
        assertEquals(1, q.sackBlocks(edges, 4));
        assertEquals(ISN + 600, edges[0]);
        assertEquals(ISN + 500, q.rcvNxt());
    }

    @Test
    void rangeCountIsBoundedButInOrderDataStillFlows() {
        byte[] data = stream(1000, 5);
        ReassemblyQueue q = new ReassemblyQueue(4096, 2, ISN);
        offer(q, data, 100, 110);
        offer(q, data, 200, 210);
        assertEquals(0, offer(q, data, 300, 310)); // a third disjoint range is dropped
        assertEquals(2, q.outOfOrderRanges());
        offer(q, data, 205, 250);                  // merging into a held range is still accepted
        assertEquals(2, q.outOfOrderRanges());
        assertEquals(10, offer(q, data, 0, 10));   // in order, with both ranges held
        assertEquals(110, offer(q, data, 10, 100) + 10);
        assertEquals(ISN + 110, q.rcvNxt());
    }

    @Test
    void randomSegmentationReorderingAndDuplicationAlwaysReassembles() {
        for (long seed = 0; seed < 200; seed++) {
            Random random = new Random(seed);
            int length = 1 + random.nextInt(20_000);
            byte[] data = stream(length, seed ^ 0x5eed);
            int capacity = 64 + random.nextInt(8192);
            int isn = random.nextBoolean() ? random.nextInt() : -1 - random.nextInt(4096);
            ReassemblyQueue q = new ReassemblyQueue(capacity, 1 + random.nextInt(16), isn);
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            byte[] buffer = new byte[capacity];
            int delivered = 0;
            int rounds = 0;
            while (read.size() < length) {
                assertTrue(++rounds < 1_000_000, "seed " + seed + " made no progress");
                // the sender sends anything from the first unacknowledged byte within twice the
                // window, in random pieces: retransmissions, reordering and overlaps all arise
                int base = SeqNum.diff(q.rcvNxt(), isn);
                int from = Math.max(0, base - random.nextInt(64)) + random.nextInt(2 * capacity);
                if (from < length) {
                    int to = Math.min(length, from + 1 + random.nextInt(1500));
                    int advanced = q.offer(isn + from, data, from, to - from);
                    delivered += advanced;
                    assertEquals(delivered, SeqNum.diff(q.rcvNxt(), isn), "seed " + seed);
                    checkSackInvariants(q, seed);
                }
                if (random.nextInt(4) == 0) {
                    int n = q.read(buffer, 0, random.nextInt(capacity + 1));
                    read.write(buffer, 0, n);
                }
            }
            assertArrayEquals(data, read.toByteArray(), "seed " + seed);
            assertEquals(0, q.outOfOrderBytes(), "seed " + seed);
        }
    }

    private static void checkSackInvariants(ReassemblyQueue q, long seed) {
        int[] edges = new int[32];
        int n = q.sackBlocks(edges, 16);
        int rightEdge = q.rcvNxt() + q.window();
        for (int k = 0; k < n; k++) {
            int left = edges[2 * k];
            int right = edges[2 * k + 1];
            // every block lies strictly above RCV.NXT (a hole precedes it) and inside the window
            assertTrue(SeqNum.gt(left, q.rcvNxt()) && SeqNum.lt(left, right) && SeqNum.le(right, rightEdge),
                    "seed " + seed);
            for (int m = 0; m < k; m++) {
                // disjoint and not even touching, or they would have been merged
                assertTrue(SeqNum.lt(right, edges[2 * m]) || SeqNum.gt(left, edges[2 * m + 1]), "seed " + seed);
            }
        }
    }
}
