package dev.switchboard.bench;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.DerpMessage;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * DERP throughput and one-way latency: {@code pairs} sender → receiver pairs of real clients. Each packet carries
 * its send time ({@code System.nanoTime}, same process) so receivers measure one-way delay. Unpaced senders write
 * whenever their socket accepts more (TCP backpressure); paced ones send {@code ratePerPair} packets a second.
 */
public final class DerpLoad {
    /** What a run measured. */
    public record Result(long sent, long received, Duration elapsed, int packetBytes, LatencyStats latency) {
        public double packetsPerSecond() {
            return received / seconds();
        }

        public double megabitsPerSecond() {
            return received * (double) packetBytes * 8 / seconds() / 1e6;
        }

        public double lossPercent() {
            return sent == 0 ? 0 : 100.0 * (sent - received) / sent;
        }

        private double seconds() {
            return Math.max(1e-9, elapsed.toNanos() / 1e9);
        }
    }

    private static final int MAX_SAMPLES = 2_000_000;
    private static final int BURST = 64;

    private final Vertx vertx;
    private final URI url;
    private final boolean webSocket;
    private final int pairs;
    private final int packetBytes;
    private final Duration duration;
    private final int ratePerPair;
    /** Cleared when the sending time is over; read by the senders on their event loops. */
    private volatile boolean running = true;

    /** @param ratePerPair packets per second per pair; 0 = unpaced */
    public DerpLoad(Vertx vertx, URI url, boolean webSocket, int pairs, int packetBytes, Duration duration,
                    int ratePerPair) {
        this.vertx = vertx;
        this.url = url;
        this.webSocket = webSocket;
        this.pairs = pairs;
        this.packetBytes = Math.max(16, packetBytes);
        this.duration = duration;
        this.ratePerPair = ratePerPair;
    }

    /** @param sinkKey when set, every sender sends to this key (a sink) and no receivers are connected */
    public Result run(NodeKey sinkKey, AtomicLong sinkCounter) throws Exception {
        AtomicLong sent = new AtomicLong();
        AtomicLong received = new AtomicLong();
        AtomicLongArray samples = new AtomicLongArray(MAX_SAMPLES);
        AtomicLong sampleCount = new AtomicLong();
        List<DerpClient> senders = new ArrayList<>();
        List<DerpClient> receivers = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            DerpClient sender = connect();
            NodeKey destination = sinkKey;
            if (sinkKey == null) {
                DerpClient receiver = connect();
                receiver.messageHandler(message -> {
                    if (message instanceof DerpMessage.ReceivedPacket packet && packet.data().length() >= 8) {
                        long latency = System.nanoTime() - packet.data().getLong(0);
                        received.incrementAndGet();
                        long index = sampleCount.getAndIncrement();
                        if (index < MAX_SAMPLES) {
                            samples.set((int) index, latency);
                        }
                    }
                });
                receivers.add(receiver);
                destination = receiver.publicKey();
            }
            senders.add(sender);
            Sender pump = new Sender(sender, destination, sent);
            sender.context().runOnContext(v -> pump.start());
        }
        long start = System.nanoTime();
        Thread.sleep(duration.toMillis());
        running = false;
        long elapsed = System.nanoTime() - start;
        Thread.sleep(1000); // let in-flight packets land
        for (DerpClient client : senders) {
            client.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        for (DerpClient client : receivers) {
            client.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        long[] collected = new long[(int) Math.min(sampleCount.get(), MAX_SAMPLES)];
        for (int i = 0; i < collected.length; i++) {
            collected[i] = samples.get(i);
        }
        long delivered = sinkKey == null ? received.get() : sinkCounter.get();
        return new Result(sent.get(), delivered, Duration.ofNanos(elapsed), packetBytes, LatencyStats.of(collected));
    }

    private DerpClient connect() throws Exception {
        return BenchClients.connect(vertx, url, webSocket);
    }

    /** One sender, confined to its client's event loop. */
    private final class Sender {
        private final DerpClient client;
        private final NodeKey destination;
        private final AtomicLong sent;
        private long sequence;
        private long startNanos;

        Sender(DerpClient client, NodeKey destination, AtomicLong sent) {
            this.client = client;
            this.destination = destination;
            this.sent = sent;
        }

        void start() {
            startNanos = System.nanoTime();
            if (ratePerPair > 0) {
                vertx.setPeriodic(1, id -> {
                    if (!running) {
                        vertx.cancelTimer(id);
                        return;
                    }
                    long due = (System.nanoTime() - startNanos) * ratePerPair / 1_000_000_000L;
                    while (sequence < due && !client.writeQueueFull()) {
                        sendOne();
                    }
                });
            } else {
                pump();
            }
        }

        private void pump() {
            for (int i = 0; i < BURST && running; i++) {
                if (client.writeQueueFull()) {
                    client.drainHandler(v -> pump());
                    return;
                }
                sendOne();
            }
            if (running) {
                client.context().runOnContext(v -> pump());
            }
        }

        private void sendOne() {
            Buffer packet = Buffer.buffer(packetBytes).appendLong(System.nanoTime()).appendLong(sequence++);
            packet.appendBytes(new byte[packetBytes - 16]);
            client.send(destination, packet);
            sent.incrementAndGet();
        }
    }
}
