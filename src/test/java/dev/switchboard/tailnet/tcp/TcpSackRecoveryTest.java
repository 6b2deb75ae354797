package dev.switchboard.tailnet.tcp;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sender-side SACK loss recovery (RFC 2018, RFC 6675) between two connections on a {@link Wire}. */
class TcpSackRecoveryTest {
    private static final int MSS = 1208;
    private static final int FIRST = 0x1000_0001;

    private static Wire established(TcpConfig config) {
        Wire w = new Wire(config, config);
        w.b.listen();
        w.a.connect();
        w.deliverAll();
        assertEquals(TcpState.ESTABLISHED, w.a.state());
        return w;
    }

    /** Writes {@code data} from A and reads it at B, delivering and firing timers, until all arrived. */
    private static byte[] transfer(Wire w, byte[] data) {
        byte[] got = new byte[data.length];
        int written = 0;
        int read = 0;
        for (int step = 0; step < 100_000 && (read < data.length || w.a.unacknowledged() > 0); step++) {
            written += w.a.write(data, written, data.length - written);
            read += w.b.read(got, read, got.length - read);
            if (!w.deliverOne() && !w.fireNextTimer()) {
                break;
            }
        }
        return got;
    }

    private static long copiesOf(Wire w, int seq) {
        return w.sentBy(true).stream().filter(s -> s.length() > 0 && s.seq() == seq).count();
    }

    private static Predicate<Wire.Sent> dropFirstCopyOf(Set<Integer> seqs) {
        Set<Integer> dropped = new HashSet<>();
        return s -> s.fromA() && s.length() > 0 && seqs.contains(s.seq()) && dropped.add(s.seq());
    }

    @Test
    void twoHolesInOneWindowAreEachResentOnceWithoutATimeout() {
        Wire w = established(TcpConfig.defaults());
        byte[] data = new byte[MSS * 40];
        new Random(3).nextBytes(data);
        int hole1 = FIRST + 4 * MSS;
        int hole2 = FIRST + 7 * MSS;
        w.drop = dropFirstCopyOf(Set.of(hole1, hole2));
        long start = w.now;
        assertArrayEquals(data, transfer(w, data));
        assertEquals(2, copiesOf(w, hole1));
        assertEquals(2, copiesOf(w, hole2));
        long dataSegments = w.sentBy(true).stream().filter(s -> s.length() > 0).count();
        assertEquals(40 + 2, dataSegments, "only the holes were sent twice");
        assertEquals(0, w.a.retransmissionTimer().backoffs(), "no RTO");
        assertTrue(w.now - start < 200_000_000L, "recovered within the delayed-ACK time, not an RTO");
        assertFalse(w.a.congestionControl().inFastRecovery());
    }

    @Test
    void withoutSackTheSecondHoleWaitsForAPartialAck() {
        TcpConfig noSack = TcpConfig.defaults().withOptions(true, false);
        Wire w = established(noSack);
        byte[] data = new byte[MSS * 40];
        new Random(4).nextBytes(data);
        int hole1 = FIRST + 4 * MSS;
        int hole2 = FIRST + 7 * MSS;
        w.drop = dropFirstCopyOf(Set.of(hole1, hole2));
        assertArrayEquals(data, transfer(w, data));
        assertEquals(2, copiesOf(w, hole1));
        assertEquals(2, copiesOf(w, hole2)); // NewReno: one hole per round trip (RFC 6582)
        assertTrue(w.sentBy(false).stream().noneMatch(s -> s.options().sackBlockCount() > 0));
    }

    @Test
    void aTimeoutResendsTheHoleButNotTheSackedData() {
        Wire w = established(TcpConfig.defaults());
        byte[] data = new byte[MSS * 12];
        new Random(5).nextBytes(data);
        int hole = FIRST + MSS;
        int[] copies = {0};
        w.drop = s -> s.fromA() && s.length() > 0 && s.seq() == hole && copies[0]++ < 2; // fast retransmit lost too
        assertArrayEquals(data, transfer(w, data));
        assertEquals(3, copiesOf(w, hole));
        assertTrue(w.now >= 200_000_000L, "the retransmission timer (200 ms floor) repaired it");
        for (int k = 2; k < 12; k++) {
            assertEquals(1, copiesOf(w, FIRST + k * MSS), "segment " + k + " was SACKed and not resent");
        }
    }
}
