package dev.switchboard.tailnet.tcp;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Random;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property: whatever the link does (random loss, duplication and reordering from a seed) and
 * whichever options are on, two connections on a virtual clock deliver both byte streams intact,
 * in order, and both close cleanly. Every seed draws its own impairment, sizes and configuration.
 */
class TcpLossyLinkPropertyTest {
    static LongStream seeds() {
        return LongStream.rangeClosed(1, 60);
    }

    private static TcpConfig config(Random r) {
        TcpConfig c = TcpConfig.defaults()
                .withOptions(r.nextBoolean(), r.nextInt(4) > 0)
                .withNoDelay(r.nextBoolean())
                .withDelayedAck(r.nextBoolean() ? Duration.ofMillis(40) : Duration.ZERO);
        if (r.nextBoolean()) {
            c = c.withCongestionControl(NewReno::new);
        }
        if (r.nextInt(3) == 0) {
            c = c.withBuffers(8192 + r.nextInt(64 * 1024), 8192 + r.nextInt(64 * 1024));
        }
        return c;
    }

    /** One direction's application: writes its bytes in random chunks, reads the other side's, closes when done. */
    private static final class Endpoint {
        final TcpConnection c;
        final byte[] out;
        final ByteArrayOutputStream in = new ByteArrayOutputStream();
        final Random r;
        int written;
        boolean closed;

        Endpoint(TcpConnection c, byte[] out, Random r) {
            this.c = c;
            this.out = out;
            this.r = r;
        }

        void step(byte[] buffer) {
            TcpState s = c.state();
            if ((s == TcpState.ESTABLISHED || s == TcpState.CLOSE_WAIT) && written < out.length) {
                written += c.write(out, written, Math.min(out.length - written, 1 + r.nextInt(20_000)));
            }
            if (written == out.length && !closed && s != TcpState.SYN_SENT && s != TcpState.SYN_RECEIVED
                    && s != TcpState.LISTEN) {
                c.close();
                closed = true;
            }
            if (r.nextInt(4) > 0) { // a reader that sometimes lags, so windows close and reopen
                int n = c.read(buffer, 0, 1 + r.nextInt(buffer.length));
                in.write(buffer, 0, n);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void bothStreamsArriveIntact(long seed) {
        Random r = new Random(seed);
        Wire w = new Wire(config(r), config(r))
                .impair(seed, r.nextDouble() * 0.05, r.nextDouble() * 0.02, r.nextDouble() * 0.1);
        byte[] aToB = new byte[r.nextInt(300_000)];
        byte[] bToA = new byte[r.nextInt(300_000)];
        r.nextBytes(aToB);
        r.nextBytes(bToA);
        Endpoint a = new Endpoint(w.a, aToB, new Random(seed * 31));
        Endpoint b = new Endpoint(w.b, bToA, new Random(seed * 37));
        w.b.listen();
        w.a.connect();
        byte[] buffer = new byte[32 * 1024];
        int idle = 0;
        for (int step = 0; step < 2_000_000 && idle < 100; step++) {
            a.step(buffer);
            b.step(buffer);
            if (done(w.a) && done(w.b)) {
                break;
            }
            // nothing on the link and no timer: only the applications can move, so give them turns
            idle = w.deliverOne() || w.fireNextTimer() ? 0 : idle + 1;
        }
        String why = "seed " + seed + " " + w.a.state() + "/" + w.b.state() + " unacked " + w.a.unacknowledged()
                + "/" + w.b.unacknowledged() + " wnd " + w.a.sendWindow() + "/" + w.b.sendWindow() + " t=" + w.now;
        assertArrayEquals(aToB, b.in.toByteArray(), why);
        assertArrayEquals(bToA, a.in.toByteArray(), why);
        assertTrue(done(w.a) && done(w.b), why + ": " + w.a.state() + " / " + w.b.state());
        assertEquals(TcpConnection.Error.NONE, w.a.error(), why);
        assertEquals(TcpConnection.Error.NONE, w.b.error(), why);
    }

    private static boolean done(TcpConnection c) {
        return (c.state() == TcpState.CLOSED || c.state() == TcpState.TIME_WAIT) && c.readable() == 0;
    }
}
