package dev.switchboard.tailnet.tcp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SackScoreboardTest {
    private static final int MSS = 1000;
    private static final int UNA = -500; // ranges straddle the 2^32 wrap

    private static TcpOptions blocks(int... edges) {
        return new TcpOptions().sackBlocks(edges, edges.length / 2);
    }

    @Test
    void mergesBlocksAndComputesPipeAndTheFirstLostHole() {
        SackScoreboard b = new SackScoreboard();
        int max = UNA + 10 * MSS;
        b.record(blocks(UNA + 2 * MSS, UNA + 3 * MSS), UNA, max);
        b.record(blocks(UNA + 3 * MSS, UNA + 4 * MSS, UNA + 6 * MSS, UNA + 8 * MSS), UNA, max);
        assertEquals(4 * MSS, b.sackedBytes());
        int[] hole = new int[2];
        b.startEpisode(UNA);
        // [UNA, UNA+2) has 4 MSS SACKed above: lost (more than 2 MSS); [UNA+4, UNA+6) has 2 MSS: not yet
        assertTrue(b.nextLostHole(UNA, MSS, hole));
        assertArrayEquals(new int[] {UNA, UNA + 2 * MSS}, hole);
        assertEquals(10 * MSS - 4 * MSS - 2 * MSS, b.pipe(UNA, max, MSS));
        b.retransmitted(UNA, MSS);
        assertEquals(10 * MSS - 4 * MSS - MSS, b.pipe(UNA, max, MSS)); // the retransmission is in the network
        assertTrue(b.nextLostHole(UNA, MSS, hole));
        assertArrayEquals(new int[] {UNA + MSS, UNA + 2 * MSS}, hole);
        assertEquals(UNA + 4 * MSS, b.skipSacked(UNA + 2 * MSS));
        assertEquals(UNA + 6 * MSS, b.nextSacked(UNA + 4 * MSS, max));
    }

    @Test
    void ignoresStaleAndBogusBlocksAndForgetsWhatTheCumulativeAckCovers() {
        SackScoreboard b = new SackScoreboard();
        int max = UNA + 10 * MSS;
        b.record(blocks(UNA - MSS, UNA, UNA + 9 * MSS, UNA + 11 * MSS), UNA, max); // below SND.UNA, beyond SND.MAX
        assertEquals(0, b.sackedBytes());
        b.record(blocks(UNA + 2 * MSS, UNA + 5 * MSS), UNA, max);
        b.advance(UNA + 3 * MSS);
        assertEquals(2 * MSS, b.sackedBytes());
        // SND.UNA inside a SACKed range: the receiver dropped [UNA+3, UNA+5) after SACKing it
        assertTrue(b.reneged(UNA + 3 * MSS));
        b.advance(UNA + 5 * MSS);
        assertEquals(0, b.sackedBytes());
    }

    @Test
    void detectsRenegingAndStaysBoundedUnderManyBlocks() {
        SackScoreboard b = new SackScoreboard();
        int max = UNA + 100 * MSS;
        b.record(blocks(UNA + MSS, UNA + 2 * MSS), UNA, max);
        assertFalse(b.reneged(UNA));
        b.advance(UNA + MSS);
        assertTrue(b.reneged(UNA + MSS), "the receiver ACKed up to data it had SACKed");
        b.clear();
        for (int k = 0; k < 40; k++) {
            b.record(blocks(UNA + 2 * k * MSS + MSS, UNA + 2 * k * MSS + 2 * MSS), UNA, max);
        }
        assertEquals(SackScoreboard.MAX_RANGES * MSS, b.sackedBytes(), "blocks past the bound are ignored");
    }
}
