package dev.switchboard.tailnet.tcp;

import static dev.switchboard.tailnet.tcp.SeqNum.gt;
import static dev.switchboard.tailnet.tcp.SeqNum.le;
import static dev.switchboard.tailnet.tcp.SeqNum.lt;
import static dev.switchboard.tailnet.tcp.SeqNum.max;
import static dev.switchboard.tailnet.tcp.SeqNum.min;

/**
 * The sender's SACK scoreboard (RFC 6675 §3): the ranges above SND.UNA the receiver reported in
 * SACK blocks (RFC 2018 §3), kept sorted and merged, and HighRxt, the end of what this loss
 * episode has retransmitted. From these come RFC 6675's IsLost (a hole is lost once more than
 * (DupThresh − 1) · SMSS bytes above it are SACKed), SetPipe (§4: the bytes still in the network)
 * and NextSeg rule 1 (the first lost hole above HighRxt), so recovery resends holes, not the
 * whole window. At most {@link #MAX_RANGES} ranges are kept; a block that would need another is
 * ignored, which only makes the sender retransmit more, never less. Owned by the connection's
 * event loop; no allocation after construction.
 */
final class SackScoreboard {
    static final int MAX_RANGES = 16;

    private final int[] starts = new int[MAX_RANGES];
    private final int[] ends = new int[MAX_RANGES];
    // owned by the connection's event loop
    private int count;
    private int sacked;
    private int highRxt;

    /**
     * Records the SACK blocks of an ACK once SND.UNA has moved to {@code sndUna}: blocks at or
     * below it (stale, or D-SACK of RFC 2883) and beyond SND.MAX (bogus) are ignored.
     */
    void record(TcpOptions o, int sndUna, int sndMax) {
        for (int k = 0; k < o.sackBlockCount(); k++) {
            int left = max(o.sackLeft(k), sndUna);
            int right = o.sackRight(k);
            if (lt(left, right) && le(right, sndMax)) {
                insert(left, right);
            }
        }
    }

    /** SND.UNA advanced: forget what it covers. */
    void advance(int sndUna) {
        int drop = 0;
        while (drop < count && le(ends[drop], sndUna)) {
            sacked -= ends[drop] - starts[drop];
            drop++;
        }
        remove(0, drop);
        if (count > 0 && lt(starts[0], sndUna)) {
            sacked -= sndUna - starts[0];
            starts[0] = sndUna;
        }
        if (lt(highRxt, sndUna)) {
            highRxt = sndUna;
        }
    }

    /**
     * The receiver acknowledged up to the start of a range it had SACKed, so it dropped that data
     * (RFC 2018 §8 reneging); as Linux's tcp_check_sack_reneging, forget every SACK.
     */
    boolean reneged(int sndUna) {
        return count > 0 && starts[0] == sndUna;
    }

    void clear() {
        count = 0;
        sacked = 0;
    }

    /** A loss episode starts (fast retransmit or RTO): nothing retransmitted yet. */
    void startEpisode(int sndUna) {
        highRxt = sndUna;
    }

    /** A retransmission of [seq, seq + len) went out. */
    void retransmitted(int seq, int len) {
        highRxt = max(highRxt, seq + len);
    }

    /** Whether this episode already retransmitted the byte at {@code seq}. */
    boolean retransmittedPast(int seq) {
        return gt(highRxt, seq);
    }

    int sackedBytes() {
        return sacked;
    }

    /** The end of the SACKed range holding {@code seq}, or {@code seq} when it is not SACKed. */
    int skipSacked(int seq) {
        for (int i = 0; i < count; i++) {
            if (le(starts[i], seq) && lt(seq, ends[i])) {
                return ends[i];
            }
        }
        return seq;
    }

    /** The start of the first SACKed range above {@code seq}, or {@code limit} if none is below it. */
    int nextSacked(int seq, int limit) {
        for (int i = 0; i < count; i++) {
            if (gt(starts[i], seq)) {
                return min(starts[i], limit);
            }
        }
        return limit;
    }

    /**
     * RFC 6675 §4 SetPipe: of the {@code sndMax − sndUna} bytes outstanding, the SACKed ones and
     * the lost ones not yet retransmitted have left the network.
     */
    int pipe(int sndUna, int sndMax, int smss) {
        int pipe = sndMax - sndUna - sacked;
        int holeStart = sndUna;
        int sackedAbove = sacked;
        for (int i = 0; i < count; i++) {
            if (sackedAbove > (FastRecovery.DUP_ACK_THRESHOLD - 1) * smss) { // IsLost
                int from = max(holeStart, highRxt);
                if (lt(from, starts[i])) {
                    pipe -= starts[i] - from;
                }
            }
            sackedAbove -= ends[i] - starts[i];
            holeStart = ends[i];
        }
        return pipe;
    }

    /**
     * RFC 6675 §4 NextSeg rule 1: the first lost, not yet retransmitted byte at or above HighRxt,
     * written to {@code hole} as (start, end); false when there is none.
     */
    boolean nextLostHole(int sndUna, int smss, int[] hole) {
        int holeStart = sndUna;
        int sackedAbove = sacked;
        for (int i = 0; i < count && sackedAbove > (FastRecovery.DUP_ACK_THRESHOLD - 1) * smss; i++) {
            int from = max(holeStart, highRxt);
            if (lt(from, starts[i])) {
                hole[0] = from;
                hole[1] = starts[i];
                return true;
            }
            sackedAbove -= ends[i] - starts[i];
            holeStart = ends[i];
        }
        return false;
    }

    private void insert(int start, int end) {
        int i = 0;
        while (i < count && lt(ends[i], start)) {
            i++;
        }
        int j = i;
        while (j < count && le(starts[j], end)) {
            j++;
        }
        if (i == j) {
            if (count == MAX_RANGES) {
                return;
            }
            System.arraycopy(starts, i, starts, i + 1, count - i);
            System.arraycopy(ends, i, ends, i + 1, count - i);
            count++;
            starts[i] = start;
            ends[i] = end;
            sacked += end - start;
            return;
        }
        int mergedStart = min(starts[i], start);
        int mergedEnd = max(ends[j - 1], end);
        for (int k = i; k < j; k++) {
            sacked -= ends[k] - starts[k];
        }
        starts[i] = mergedStart;
        ends[i] = mergedEnd;
        sacked += mergedEnd - mergedStart;
        remove(i + 1, j - i - 1);
    }

    private void remove(int from, int n) {
        System.arraycopy(starts, from + n, starts, from, count - from - n);
        System.arraycopy(ends, from + n, ends, from, count - from - n);
        count -= n;
    }
}
