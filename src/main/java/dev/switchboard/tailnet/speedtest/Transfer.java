package dev.switchboard.tailnet.speedtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

/**
 * The data phase of a speed test, either side (Tailscale {@code net/speedtest/speedtest_server.go} {@code doTest}):
 * the sender writes a random 2 MiB block over and over until the test time has passed, then half-closes; the
 * receiver counts what arrives until EOF, within the test time plus 5 s (v1.36.2's read deadline). The sender writes
 * only while the stream takes more ({@code writeQueueFull}, then the drain handler), so at most one chunk beyond the
 * stream's write queue is in memory; the receiver counts each buffer as the stream delivers it. On the stream's event
 * loop.
 */
final class Transfer {
    /** {@code blockSize}: the random block the sender repeats. */
    static final int BLOCK_SIZE = 2 * 1024 * 1024;
    /** Slices of the block per write, so the write queue overshoots its limit by at most this much. */
    private static final int CHUNK = 64 * 1024;
    /** v1.36.2 {@code SetReadDeadline(now + duration + 5s)} on the receiving side. */
    static final Duration READ_GRACE = Duration.ofSeconds(5);

    private Transfer() {
    }

    /** Sends for {@code duration}; completes with the sender's results once it has half-closed. */
    static Future<List<SpeedtestResult>> send(Vertx vertx, WriteStream<Buffer> out, Duration duration) {
        return new Sender(vertx, out, duration).start();
    }

    /** Counts until EOF; {@code first} holds bytes that arrived with the handshake line. */
    static Future<List<SpeedtestResult>> receive(Vertx vertx, ReadStream<Buffer> in, Buffer first,
                                                 Duration duration) {
        Promise<List<SpeedtestResult>> done = Promise.promise();
        Intervals intervals = new Intervals(System.nanoTime());
        long deadline = vertx.setTimer(duration.plus(READ_GRACE).toMillis(), t ->
                done.tryFail(new TimeoutException("no end of the speed test within " + duration.plus(READ_GRACE))));
        if (first.length() > 0) {
            intervals.add(first.length(), System.nanoTime());
        }
        in.exceptionHandler(done::tryFail);
        in.endHandler(v -> done.tryComplete(intervals.finish()));
        in.handler(buf -> intervals.add(buf.length(), System.nanoTime()));
        in.resume();
        return done.future().onComplete(r -> vertx.cancelTimer(deadline));
    }

    private static final class Sender {
        private final Vertx vertx;
        private final WriteStream<Buffer> out;
        private final long durationNanos;
        private final Buffer block;
        private final Promise<List<SpeedtestResult>> done = Promise.promise();
        // On the stream's event loop.
        private Intervals intervals;
        private int offset;
        private long stopTimer;

        Sender(Vertx vertx, WriteStream<Buffer> out, Duration duration) {
            this.vertx = vertx;
            this.out = out;
            this.durationNanos = duration.toNanos();
            byte[] random = new byte[BLOCK_SIZE];
            ThreadLocalRandom.current().nextBytes(random); // incompressible, as crypto/rand's block
            this.block = Buffer.buffer(random);
        }

        Future<List<SpeedtestResult>> start() {
            intervals = new Intervals(System.nanoTime());
            out.exceptionHandler(done::tryFail);
            out.drainHandler(v -> pump());
            // A stalled stream (closed window, no drain) still ends the test on time, and the test lasted until now
            // (as Go's blocked Write returns only then), not just until the last write.
            stopTimer = vertx.setTimer(Math.max(1, durationNanos / 1_000_000 + 1), t -> {
                intervals.add(0, System.nanoTime());
                finish();
            });
            done.future().onComplete(r -> vertx.cancelTimer(stopTimer));
            pump();
            return done.future();
        }

        private void pump() {
            while (!done.future().isComplete() && !out.writeQueueFull()) {
                int n = Math.min(CHUNK, BLOCK_SIZE - offset);
                out.write(block.slice(offset, offset + n)).onFailure(done::tryFail);
                offset = (offset + n) % BLOCK_SIZE;
                intervals.add(n, System.nanoTime());
                if (intervals.elapsedNanos() > durationNanos) {
                    finish();
                }
            }
        }

        private void finish() {
            if (done.future().isComplete()) {
                return;
            }
            out.end();
            done.tryComplete(intervals.finish());
        }
    }
}
