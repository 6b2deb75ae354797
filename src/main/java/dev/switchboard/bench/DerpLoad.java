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
import java.util.function.Consumer;

/**
 * DERP throughput and one-way latency: {@code pairs} sender → receiver pairs of real clients, each on an event loop
 * of its own choosing (the loops taken in turn). Each packet carries its send time ({@code System.nanoTime}, same
 * process) so receivers measure one-way delay. Unpaced senders write whenever their socket accepts more (TCP
 * backpressure); paced ones send {@code ratePerPair} packets a second. Sending starts with a warm-up that the
 * figures leave out.
 */
public final class DerpLoad {
    /** What to run: where, how many pairs, packet size, warm-up, measured time and pace (0 = unpaced). */
    public record Plan(URI url, boolean webSocket, int pairs, int packetBytes, Duration warmup, Duration duration,
                       int ratePerPair) {
        public Plan {
            packetBytes = Math.max(16, packetBytes);
        }
    }

    /** What a run measured, over the measured window only. */
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

    private static final int BURST = 64;
    private static final Duration LANDING_TIME = Duration.ofSeconds(1);

    private final Vertx vertx;
    private final Plan plan;
    private final byte[] filler;
    /** Cleared when the sending time is over; read by the senders on their event loops. */
    private volatile boolean running = true;
    /** Set before any sender starts; the receivers count into it. */
    private volatile Tally tally;

    public DerpLoad(Vertx vertx, Plan plan) {
        this.vertx = vertx;
        this.plan = plan;
        this.filler = new byte[plan.packetBytes() - 2 * Long.BYTES];
    }

    /** Pairs of clients through the relay at the plan's URL. */
    public Result run() throws Exception {
        List<DerpClient> clients = new ArrayList<>();
        List<Sender> senders = new ArrayList<>();
        for (int i = 0; i < plan.pairs(); i++) {
            DerpClient sender = connect(plan.url(), plan.webSocket());
            DerpClient receiver = connect(plan.url(), plan.webSocket());
            receiver.messageHandler(message -> {
                if (message instanceof DerpMessage.ReceivedPacket packet && packet.data().length() >= Long.BYTES) {
                    tally.arrived(packet.data().getLong(0), System.nanoTime());
                }
            });
            clients.add(sender);
            clients.add(receiver);
            senders.add(new Sender(sender, receiver.publicKey()));
        }
        return measure(senders, clients, opened -> {
        });
    }

    /** Senders only, into an in-process sink: the tool's own ceiling, with no relay in the way. */
    public Result runInto(DerpSink sink) throws Exception {
        URI url = URI.create(sink.url());
        List<DerpClient> clients = new ArrayList<>();
        List<Sender> senders = new ArrayList<>();
        for (int i = 0; i < plan.pairs(); i++) {
            DerpClient sender = connect(url, false);
            clients.add(sender);
            senders.add(new Sender(sender, sink.destination()));
        }
        return measure(senders, clients, sink::countInto);
    }

    /** Opens the tally (the window starts after the warm-up), starts the senders, waits, and closes every client. */
    private Result measure(List<Sender> senders, List<DerpClient> clients, Consumer<Tally> onOpened) throws Exception {
        tally = new Tally(System.nanoTime() + plan.warmup().toNanos());
        onOpened.accept(tally);
        for (Sender sender : senders) {
            sender.client.context().runOnContext(v -> sender.start());
        }
        long untilWindow = tally.fromNanos() - System.nanoTime();
        TimeUnit.NANOSECONDS.sleep(Math.max(0, untilWindow) + plan.duration().toNanos());
        running = false;
        long elapsed = System.nanoTime() - tally.fromNanos();
        awaitLanding(tally);
        for (DerpClient client : clients) {
            client.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        return new Result(tally.sent(), tally.received(), Duration.ofNanos(elapsed), plan.packetBytes(), tally.latency());
    }

    /**
     * Waits until every packet of the window has arrived, or until none has for {@link #LANDING_TIME}: unpaced runs
     * leave a second or more of packets queued in socket buffers, which are late, not lost.
     */
    private static void awaitLanding(Tally tally) throws InterruptedException {
        long seen = -1;
        long quietSince = System.nanoTime();
        while (tally.received() < tally.sent() && System.nanoTime() - quietSince < LANDING_TIME.toNanos()) {
            if (tally.received() != seen) {
                seen = tally.received();
                quietSince = System.nanoTime();
            }
            Thread.sleep(20);
        }
    }

    private DerpClient connect(URI url, boolean webSocket) throws Exception {
        return BenchClients.connect(vertx, BenchClients.newContext(vertx), url, webSocket);
    }

    /** One sender, confined to its client's event loop. */
    private final class Sender {
        private final DerpClient client;
        private final NodeKey destination;
        private long sequence;
        private long startNanos;

        Sender(DerpClient client, NodeKey destination) {
            this.client = client;
            this.destination = destination;
        }

        void start() {
            startNanos = System.nanoTime();
            if (plan.ratePerPair() > 0) {
                vertx.setPeriodic(1, id -> {
                    if (!running) {
                        vertx.cancelTimer(id);
                        return;
                    }
                    long due = (System.nanoTime() - startNanos) * plan.ratePerPair() / 1_000_000_000L;
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
            long now = System.nanoTime();
            Buffer packet = Buffer.buffer(plan.packetBytes()).appendLong(now).appendLong(sequence++).appendBytes(filler);
            client.send(destination, packet);
            tally.sent(now);
        }
    }
}
