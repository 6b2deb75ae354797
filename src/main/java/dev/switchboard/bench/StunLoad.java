package dev.switchboard.bench;

import dev.switchboard.stun.StunCodec;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * STUN load generator: {@code concurrency} UDP sockets, each keeping up to {@code window} Tailscale Binding
 * requests in flight, until {@code total} requests are sent. Counts matching responses; the rest is loss. The
 * elapsed time ends with the last answer, so a lost request's 1 s timeout does not lower the rate.
 */
public final class StunLoad {
    /** What a run measured. */
    public record Result(long sent, long received, Duration elapsed) {
        public double requestsPerSecond() {
            return received / Math.max(1e-9, elapsed.toNanos() / 1e9);
        }

        public double lossPercent() {
            return sent == 0 ? 0 : 100.0 * (sent - received) / sent;
        }
    }

    private final InetSocketAddress server;
    private final long total;
    private final int concurrency;
    private final int window;

    public StunLoad(InetSocketAddress server, long total, int concurrency, int window) {
        this.server = server;
        this.total = total;
        this.concurrency = concurrency;
        this.window = window;
    }

    public Result run() throws Exception {
        AtomicLong sent = new AtomicLong();
        AtomicLong received = new AtomicLong();
        AtomicLong lastAnswer = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        long start = System.nanoTime();
        lastAnswer.set(start);
        for (int i = 0; i < concurrency; i++) {
            long share = total / concurrency + (i < total % concurrency ? 1 : 0);
            int worker = i;
            workers.add(Thread.ofPlatform().name("stun-load-" + i).start(() -> {
                try {
                    runWorker(worker, share, sent, received, lastAnswer);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        return new Result(sent.get(), received.get(), Duration.ofNanos(lastAnswer.get() - start));
    }

    private void runWorker(int worker, long count, AtomicLong sent, AtomicLong received, AtomicLong lastAnswer)
            throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(server);
            socket.setSoTimeout(1000);
            DatagramPacket in = new DatagramPacket(new byte[256], 256);
            long next = 0;
            long inFlight = 0;
            long answered = 0;
            long answeredAt = System.nanoTime();
            while (answered < count) {
                while (inFlight < window && next < count) {
                    byte[] request = StunCodec.tailscaleRequest(transactionId(worker, next++)).getBytes();
                    socket.send(new DatagramPacket(request, request.length));
                    sent.incrementAndGet();
                    inFlight++;
                }
                try {
                    socket.receive(in);
                } catch (SocketTimeoutException e) {
                    break; // whatever is still in flight was lost
                }
                if (StunCodec.parseResponse(Buffer.buffer(Arrays.copyOf(in.getData(), in.getLength()))) != null) {
                    received.incrementAndGet();
                }
                answeredAt = System.nanoTime();
                answered++;
                inFlight--;
            }
            long last = answeredAt;
            lastAnswer.accumulateAndGet(last, Math::max);
        }
    }

    private static byte[] transactionId(int worker, long sequence) {
        return Buffer.buffer(12).appendInt(worker).appendLong(sequence).getBytes();
    }
}
