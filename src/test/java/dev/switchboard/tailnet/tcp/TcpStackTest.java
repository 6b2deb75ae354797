package dev.switchboard.tailnet.tcp;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpStackTest {
    private static final long S = 1_000_000_000L;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** B echoes everything and half-closes when A does. */
    private static void echoServer(TcpStack stack, int port) {
        stack.listen(port, 16).handler(s -> {
            s.handler(buf -> {
                s.write(buf);
                if (s.writeQueueFull()) {
                    s.pause();
                    s.drainHandler(v -> s.resume());
                }
            });
            s.endHandler(v -> s.end());
        });
    }

    private static void echo(byte[] remote) {
        StackLink link = new StackLink(TcpStackConfig.defaults());
        echoServer(link.b, 22);
        byte[] data = random(300_000, 1);
        Buffer got = Buffer.buffer();
        AtomicInteger closed = new AtomicInteger();
        Future<TcpSocket> f = link.a.connect(remote, 22);
        link.run(S);
        assertTrue(f.succeeded(), String.valueOf(f.cause()));
        TcpSocket s = f.result();
        s.handler(got::appendBuffer);
        s.closeHandler(v -> closed.incrementAndGet());
        s.write(Buffer.buffer(data));
        s.end();
        link.run(10 * S);
        assertArrayEquals(data, got.getBytes());
        assertEquals(1, closed.get());
        link.run(120 * S); // TIME_WAIT ends
        assertEquals(0, link.a.connections());
        assertEquals(0, link.b.connections());
    }

    @Test
    void echoOverIpv6() {
        echo(StackLink.B6);
    }

    @Test
    void echoOverIpv4() {
        echo(StackLink.B4);
    }

    @Test
    void aSlowReaderClosesTheWindowAndBoundsMemoryThenTheDrainFires() {
        TcpConfig small = TcpConfig.defaults().withBuffers(64 * 1024, 64 * 1024);
        StackLink link = new StackLink(TcpStackConfig.defaults().withConnection(small));
        AtomicReference<TcpSocket> server = new AtomicReference<>();
        Buffer got = Buffer.buffer();
        link.b.listen(80, 4).handler(s -> {
            server.set(s);
            s.pause(); // the reader takes nothing yet
            s.handler(got::appendBuffer);
        });
        Future<TcpSocket> connected = link.a.connect(StackLink.B6, 80);
        link.run(S);
        TcpSocket client = connected.result();
        byte[] data = random(2_000_000, 2);
        int[] offset = {0};
        AtomicInteger drains = new AtomicInteger();
        Runnable writeSome = () -> {
            while (offset[0] < data.length && !client.writeQueueFull()) {
                int n = Math.min(8192, data.length - offset[0]);
                client.write(Buffer.buffer().appendBytes(data, offset[0], n));
                offset[0] += n;
            }
        };
        client.drainHandler(v -> {
            drains.incrementAndGet();
            writeSome.run();
        });
        writeSome.run();
        link.run(30 * S);
        TcpConnection receiver = server.get().connection();
        // full, less what the window-scale shift (1 for 64 KiB) cannot advertise
        assertTrue(receiver.readable() <= 64 * 1024 && receiver.readable() >= 64 * 1024 - 2,
                "the receive buffer is full and holds the rest back: " + receiver.readable());
        assertEquals(0, client.connection().sendWindow(), "the sender sees the closed window");
        assertTrue(client.queuedBytes() <= 64 * 1024 + 8192, "the writer stopped at writeQueueFull");
        assertTrue(client.queuedBytes() > 32 * 1024, "and no drain came to refill it");
        assertEquals(64 * 1024, client.connection().unacknowledged(), "the send buffer is full too");
        assertTrue(offset[0] < 4 * 64 * 1024 + 8192, "so the writer holds the rest: " + offset[0]);
        int drainsWhileStalled = drains.get();
        link.run(30 * S);
        assertEquals(drainsWhileStalled, drains.get());
        server.get().resume();
        link.run(30 * S);
        assertTrue(drains.get() > drainsWhileStalled, "drain fired once the reader took data");
        assertEquals(data.length, got.length());
        assertArrayEquals(data, got.getBytes());
    }

    @Test
    void segmentsForNoConnectionAreResetWithinTheRateLimit() {
        StackLink link = new StackLink(TcpStackConfig.defaults());
        byte[] stranger = StackLink.address6(0xc);
        onPacket(link.b, seg(stranger, 5000, 7, 0, TcpSegment.SYN)); // no listener on 7
        onPacket(link.b, seg(stranger, 5000, 7, 0, TcpSegment.RST)); // never answered
        List<byte[]> replies = link.drain();
        assertEquals(1, replies.size());
        assertEquals(TcpSegment.RST | TcpSegment.ACK, StackLink.flags(replies.get(0)));
        for (int i = 0; i < 10_000; i++) {
            onPacket(link.b, seg(stranger, 5001, 80, 1, TcpSegment.ACK));
        }
        assertEquals(99, link.drain().size(), "a burst of strays draws at most resetsPerSecond RSTs (one went above)");
        assertEquals(10_000 - 99, link.b.dropped(TcpStackDrop.RESET_RATE_LIMITED));
        assertEquals(1, link.b.dropped(TcpStackDrop.NO_CONNECTION_RST));
        link.now += S / 10;
        onPacket(link.b, seg(stranger, 5001, 80, 1, TcpSegment.ACK));
        assertEquals(1, link.drain().size(), "tokens refill with time");
        assertEquals(0, link.b.connections());
    }

    @Test
    void aSynFloodIsBoundedByBacklogPeerAndTotalLimits() {
        StackLink link = new StackLink(TcpStackConfig.defaults().withLimits(48, 8));
        TcpListener ssh = link.b.listen(22, 4).handler(s -> { });
        link.b.listen(80, 1000);
        Random r = new Random(3);
        for (int i = 0; i < 10_000; i++) { // three peers flood port 22, then port 80
            byte[] src = StackLink.address6(0x100 + r.nextInt(3));
            onPacket(link.b, seg(src, 1024 + r.nextInt(60_000), i < 5000 ? 22 : 80, r.nextInt(), TcpSegment.SYN));
        }
        link.drain(); // SYN-ACKs into the void
        assertTrue(link.b.dropped(TcpStackDrop.BACKLOG_FULL) > 0);
        assertEquals(4, ssh.pending(), "port 22 stopped at its backlog");
        assertEquals(3 * 8, link.b.connections(), "each peer stopped at its limit");
        assertTrue(link.b.dropped(TcpStackDrop.PEER_LIMIT) > 0);
        for (int i = 0; i < 10_000; i++) { // now from many addresses
            byte[] src = StackLink.address6(0x200 + r.nextInt(1000));
            onPacket(link.b, seg(src, 1024 + r.nextInt(60_000), 80, r.nextInt(), TcpSegment.SYN));
        }
        link.drain();
        assertEquals(48, link.b.connections(), "the total limit holds");
        assertTrue(link.b.dropped(TcpStackDrop.TOTAL_LIMIT) > 0);
        link.run(300 * S); // the half-open connections give up their SYN-ACK retries
        assertEquals(0, link.b.connections());
        // and the listener takes real connections again
        Future<TcpSocket> f = link.a.connect(StackLink.B6, 22);
        link.run(S);
        assertTrue(f.succeeded());
    }

    @Test
    void connectBeyondTheLimitsFailsAndAClosedPortRefuses() {
        StackLink link = new StackLink(TcpStackConfig.defaults().withLimits(4, 2));
        echoServer(link.b, 22);
        Future<TcpSocket> first = link.a.connect(StackLink.B6, 22);
        Future<TcpSocket> second = link.a.connect(StackLink.B6, 22);
        Future<TcpSocket> third = link.a.connect(StackLink.B6, 22);
        link.run(S);
        assertTrue(first.succeeded() && second.succeeded());
        assertTrue(third.failed(), "per-peer limit");
        assertTrue(first.result().localPort() != second.result().localPort());
        assertTrue(first.result().localPort() >= 49_152);
        Future<TcpSocket> refused = link.a.connect(StackLink.B4, 9);
        link.run(S);
        assertTrue(refused.failed());
        assertTrue(refused.cause().getMessage().contains("REFUSED"), refused.cause().getMessage());
    }

    @Test
    void aFullTableMakesRoomByEndingTheOldestTimeWait() {
        StackLink link = new StackLink(TcpStackConfig.defaults().withLimits(1, 1));
        echoServer(link.b, 22);
        Future<TcpSocket> first = link.a.connect(StackLink.B6, 22);
        link.run(S);
        first.result().handler(b -> { });
        first.result().end(); // A closes first and ends in TIME_WAIT
        link.run(S);
        assertEquals(TcpState.TIME_WAIT, first.result().connection().state());
        assertEquals(1, link.a.connections());
        Future<TcpSocket> second = link.a.connect(StackLink.B6, 22);
        link.run(S);
        assertTrue(second.succeeded(), String.valueOf(second.cause()));
        assertEquals(1, link.a.dropped(TcpStackDrop.TIME_WAIT_EVICTED));
        assertEquals(1, link.a.connections());
    }

    @Test
    void aResetFromInsideAHandlerReleasesTheConnectionOnce() {
        StackLink link = new StackLink(TcpStackConfig.defaults());
        TcpListener l = link.b.listen(22, 4).handler(s -> s.handler(buf -> s.reset()));
        Future<TcpSocket> f = link.a.connect(StackLink.B6, 22);
        link.run(S);
        AtomicReference<Throwable> error = new AtomicReference<>();
        f.result().exceptionHandler(error::set);
        f.result().write(Buffer.buffer("hello"));
        link.run(S);
        assertEquals(0, link.b.connections());
        assertEquals(0, link.b.connections(StackLink.A6), "the per-peer slot is released");
        assertEquals(0, l.pending());
        assertEquals(0, link.a.connections());
        assertTrue(error.get().getMessage().contains("RESET"), String.valueOf(error.get()));
    }

    @Test
    void aWriterThatSawTheQueueFullGetsItsDrainEvenIfTheFlushEmptiedIt() {
        // Vert.x's pipe writes from inside the read handler and pauses once writeQueueFull; such writes are flushed
        // only after the handler returns. An echo that starts on a full receive buffer with an empty send buffer
        // fills its queue within one delivery, and the flush then empties it at once: the drain must still come.
        StackLink link = new StackLink(TcpStackConfig.defaults());
        AtomicReference<TcpSocket> server = new AtomicReference<>();
        link.b.listen(7, 4).handler(s -> {
            s.pause();
            server.set(s);
        });
        Future<TcpSocket> f = link.a.connect(StackLink.B6, 7);
        link.run(S);
        TcpSocket a = f.result();
        byte[] data = random(1_000_000, 3);
        Buffer got = Buffer.buffer();
        a.handler(got::appendBuffer);
        a.write(Buffer.buffer(data));
        a.end();
        link.run(5 * S); // B's receive buffer fills; its send buffer is empty
        TcpSocket b = server.get();
        b.endHandler(v -> b.end());
        b.pipeTo(b);
        link.run(60 * S);
        assertEquals(data.length, got.length());
        assertArrayEquals(data, got.getBytes());
    }

    @Test
    void listenAllTakesTheAllowedPortsWithoutAListenerAndRefusesTheRest() {
        StackLink link = new StackLink(TcpStackConfig.defaults());
        echoServer(link.b, 22);
        List<Integer> accepted = new ArrayList<>();
        link.b.listenAll(port -> port >= 1000 && port <= 2000 || port == 22, 8)
                .handler(s -> accepted.add(s.localPort()));
        Future<TcpSocket> forwarded = link.a.connect(StackLink.B6, 1500);
        Future<TcpSocket> own = link.a.connect(StackLink.B6, 22);
        Future<TcpSocket> refused = link.a.connect(StackLink.B6, 2001);
        link.run(S);
        assertTrue(forwarded.succeeded(), String.valueOf(forwarded.cause()));
        assertTrue(own.succeeded(), String.valueOf(own.cause()));
        assertEquals(List.of(1500), accepted, "port 22's own listener keeps its connections");
        assertTrue(refused.failed());
        assertTrue(refused.cause().getMessage().contains("REFUSED"), refused.cause().getMessage());
        assertEquals(1, link.b.dropped(TcpStackDrop.NO_CONNECTION_RESET));
    }

    private static void onPacket(TcpStack stack, byte[] p) {
        stack.onPacket(p, 0, p.length);
    }

    private static byte[] seg(byte[] src, int srcPort, int dstPort, int seq, int flags) {
        return StackLink.segment(src, StackLink.B6, srcPort, dstPort, seq, flags == TcpSegment.ACK ? 1 : 0, flags);
    }
}
