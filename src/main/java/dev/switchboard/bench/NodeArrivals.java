package dev.switchboard.bench;

import dev.switchboard.coordinator.proto.Node;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the clients of a coordinator bench received from their agents, recorded from the clients' event loops: the
 * delay of each timed update (node ids 1 to {@code rounds}), counted at its first arrival at each client only — a
 * node the coordinator sends again (a re-read, a reconnect) is a repeat, not a second sample — and when every client
 * had reached a node the bench waits for.
 */
public final class NodeArrivals {
    private final int clients;
    private final int rounds;
    /** Slot {@code client * rounds + id - 1}: the delay in ns, 0 until it arrived. */
    private final AtomicLongArray delays;
    private final AtomicInteger timed = new AtomicInteger();
    private final AtomicInteger repeats = new AtomicInteger();
    private volatile Target target;

    public NodeArrivals(int clients, int rounds) {
        this.clients = clients;
        this.rounds = rounds;
        delays = new AtomicLongArray(clients * rounds);
    }

    /** Client {@code client} received its agent's {@code node} at {@code receivedNanos}. */
    public void record(int client, Node node, long receivedNanos) {
        long id = node.getId();
        if (id >= 1 && id <= rounds) {
            // At least 1 ns: 0 marks "not arrived".
            long delay = Math.max(1, CoordinatorPeers.delayNanos(node, receivedNanos));
            if (delays.compareAndSet((int) (client * (long) rounds + id - 1), 0, delay)) {
                timed.incrementAndGet();
            } else {
                repeats.incrementAndGet();
            }
        }
        Target waiting = target;
        if (waiting != null) {
            waiting.arrived(client, id, receivedNanos);
        }
    }

    /** From now on, tracks which clients have received node {@code nodeId}; call it before the node is sent. */
    public Target expect(long nodeId) {
        Target next = new Target(nodeId);
        target = next;
        return next;
    }

    /** The timed updates that arrived, out of {@link #expected()}. */
    public int timed() {
        return timed.get();
    }

    public long expected() {
        return (long) clients * rounds;
    }

    /** Waits until every timed update has arrived at every client, or {@code timeout} passed; whether they did. */
    public boolean awaitTimed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (timed.get() < expected() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return timed.get() >= expected();
    }

    /** Timed nodes a client received more than once. */
    public int repeats() {
        return repeats.get();
    }

    public LatencyStats latency() {
        long[] collected = new long[timed.get()];
        int n = 0;
        for (int i = 0; i < delays.length() && n < collected.length; i++) {
            long delay = delays.get(i);
            if (delay != 0) {
                collected[n++] = delay;
            }
        }
        return LatencyStats.of(Arrays.copyOf(collected, n));
    }

    /** One node every client should receive. */
    public final class Target {
        private final long nodeId;
        private final AtomicIntegerArray reached = new AtomicIntegerArray(clients);
        private final CountDownLatch all = new CountDownLatch(clients);
        private final AtomicLong lastArrival = new AtomicLong();

        private Target(long nodeId) {
            this.nodeId = nodeId;
        }

        private void arrived(int client, long id, long receivedNanos) {
            if (id == nodeId && reached.compareAndSet(client, 0, 1)) {
                lastArrival.accumulateAndGet(receivedNanos, Math::max);
                all.countDown();
            }
        }

        /** Whether every client has the node within {@code timeout}. */
        public boolean await(Duration timeout) throws InterruptedException {
            return all.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        public long missing() {
            return all.getCount();
        }

        /** {@code System.nanoTime()} when the last client got the node (so far). */
        public long lastArrivalNanos() {
            return lastArrival.get();
        }
    }
}
