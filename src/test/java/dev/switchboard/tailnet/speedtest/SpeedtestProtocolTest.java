package dev.switchboard.tailnet.speedtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tailscale's speed test framing and bookkeeping between our client and server over kernel TCP on loopback. */
class SpeedtestProtocolTest {
    private static Vertx vertx;
    private static NetServer server;
    /** The server's own results, by the client's port. */
    private static final Map<Integer, Future<List<SpeedtestResult>>> served = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = await(vertx.createNetServer().connectHandler(s -> served.put(s.remoteAddress().port(),
                SpeedtestServer.serve(vertx, s, s))).listen(0, "127.0.0.1"));
    }

    @AfterAll
    static void stop() throws Exception {
        await(vertx.close());
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    /** Runs on the connection's own loop (the connect future completes there); {@code port} gets its local port. */
    private static List<SpeedtestResult> run(Direction direction, Duration duration, AtomicInteger port)
            throws Exception {
        return await(vertx.createNetClient().connect(server.actualPort(), "127.0.0.1").compose(s -> {
            port.set(s.localAddress().port());
            return SpeedtestClient.run(vertx, s, s, direction, duration);
        }));
    }

    private static NetSocket connect() throws Exception {
        return await(vertx.createNetClient().connect(server.actualPort(), "127.0.0.1"));
    }

    private static void assertWellFormed(List<SpeedtestResult> results, Duration duration) {
        SpeedtestResult total = results.getLast();
        assertTrue(total.total(), results.toString());
        List<SpeedtestResult> intervals = results.subList(0, results.size() - 1);
        long seconds = duration.toSeconds();
        assertTrue(intervals.size() == seconds || intervals.size() == seconds + 1, results.toString());
        // The rows add up to the total, except for a last stretch of 10 ms or less, which Tailscale's doTest counts
        // in the total but does not report as a row.
        long rows = intervals.stream().mapToLong(SpeedtestResult::bytes).sum();
        long unreported = total.endNanos() - intervals.getLast().endNanos();
        assertTrue(rows == total.bytes() || rows < total.bytes() && unreported <= Intervals.MIN_INTERVAL_NANOS,
                rows + " in rows, " + total.bytes() + " in total, last " + unreported + " ns unreported");
        // A row each second; only the last may be shorter (the rest after the last full second).
        assertTrue(intervals.subList(0, intervals.size() - 1).stream().allMatch(r -> r.seconds() >= 1),
                results.toString());
        assertTrue(total.seconds() > duration.toSeconds() - 0.05 && total.mbitsPerSecond() > 10, total.toString());
    }

    @Test
    void downloadCountsWhatTheServerSends() throws Exception {
        assertWellFormed(run(Direction.DOWNLOAD, Duration.ofSeconds(2), new AtomicInteger()), Duration.ofSeconds(2));
    }

    @Test
    void uploadIsCountedBySenderAndServerAlike() throws Exception {
        AtomicInteger port = new AtomicInteger();
        List<SpeedtestResult> sent = run(Direction.UPLOAD, Duration.ofSeconds(2), port);
        assertWellFormed(sent, Duration.ofSeconds(2));
        List<SpeedtestResult> received = await(served.get(port.get()));
        assertEquals(sent.getLast().bytes(), received.getLast().bytes(), "every byte written arrived");
    }

    @Test
    void theWireFormatIsGoJsonLines() throws Exception {
        NetSocket raw = connect();
        Promise<Buffer> reply = Promise.promise();
        Buffer got = Buffer.buffer();
        raw.handler(b -> {
            got.appendBuffer(b);
            if (got.length() >= 3) {
                reply.tryComplete(got);
            }
        });
        raw.write("{\"version\":2,\"time\":1000000000,\"direction\":0}\n");
        assertEquals("{}\n", await(reply.future()).getString(0, 3), "success is configResponse{} with omitempty");
        raw.close();

        NetSocket old = connect();
        Promise<String> refusal = Promise.promise();
        Buffer text = Buffer.buffer();
        old.handler(text::appendBuffer);
        old.endHandler(v -> refusal.complete(text.toString()));
        old.write("{\"version\":1,\"time\":1000000000,\"direction\":0}\n");
        assertEquals("{\"error\":\"version mismatch! Server is version 2, client is version 1\"}\n",
                await(refusal.future()));
    }

    @Test
    void aConfigThatIsNotJsonIsAnsweredWithAnError() throws Exception {
        NetSocket raw = connect();
        Promise<String> refusal = Promise.promise();
        Buffer text = Buffer.buffer();
        raw.handler(text::appendBuffer);
        raw.endHandler(v -> refusal.complete(text.toString()));
        raw.write("hello\n");
        String line = await(refusal.future());
        assertTrue(line.startsWith("{\"error\":\"invalid speedtest config: "), line);
    }
}
