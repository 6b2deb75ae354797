package dev.switchboard.derp.server;

import dev.switchboard.derp.ClientInfo;
import dev.switchboard.derp.DerpLimits;
import dev.switchboard.derp.FrameType;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodePrivateKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions on {@link FakeConnection}s with a clock the test drives: the time rules (home-move grace, NotHere rate)
 * without sleeping, and what a failed write does to the packets queued behind it.
 */
class ClientSessionTest {
    private final Vertx vertx = Vertx.vertx();
    private final Context loop = vertx.getOrCreateContext();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
    private DerpMetrics metrics;
    private DerpServer server;

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void startServer(DerpServerOptions options) {
        metrics = new DerpMetrics(new SimpleMeterRegistry());
        server = new DerpServer(vertx, NodePrivateKey.generate(), options, metrics, UnpooledByteBufAllocator.DEFAULT,
                nanos::get);
    }

    @Test
    void aHomeChangeWithinFiveSecondsOfConnectingIsNotAMove() throws Exception {
        startServer(DerpServerOptions.defaults());
        FakeConnection client = connect(NodePrivateKey.generate());

        advance(Duration.ofMillis(4999));
        send(client, Frames.notePreferred(true));
        assertEquals(1, metrics.homeConnections());
        assertEquals(0, metrics.homeMoves(true), "the initial announcement is not a move");

        advance(Duration.ofSeconds(1));
        send(client, Frames.notePreferred(false));
        send(client, Frames.notePreferred(true));
        assertEquals(1, metrics.homeMoves(false));
        assertEquals(1, metrics.homeMoves(true));
        assertEquals(1, metrics.homeConnections());
    }

    @Test
    void notHereRepliesRefillOnePerSecondOfTheInjectedClock() throws Exception {
        startServer(DerpServerOptions.defaults());
        FakeConnection client = connect(NodePrivateKey.generate());
        NodeKey nobody = NodePrivateKey.generate().publicKey();
        Buffer disco = Buffer.buffer(DerpRelayTest.discoPacket().getBytes());

        for (int i = 0; i < 5; i++) {
            send(client, Frames.sendPacket(nobody, disco));
        }
        assertEquals(3, client.count(FrameType.PEER_GONE), "a burst of three");

        advance(Duration.ofMillis(999));
        send(client, Frames.sendPacket(nobody, disco));
        assertEquals(3, client.count(FrameType.PEER_GONE));

        advance(Duration.ofMillis(1));
        send(client, Frames.sendPacket(nobody, disco));
        send(client, Frames.sendPacket(nobody, disco));
        assertEquals(4, client.count(FrameType.PEER_GONE), "one token per second");
        assertEquals(8, metrics.drops(DropReason.UNKNOWN_DEST, true));
    }

    @Test
    void packetsQueuedForAConnectionWhoseWritesTimedOutAreWriteErrors() throws Exception {
        startServer(DerpServerOptions.defaults()
                .withTimers(DerpLimits.KEEP_ALIVE, DerpLimits.HANDSHAKE_TIMEOUT, Duration.ofMillis(200)));
        NodePrivateKey receiverKey = NodePrivateKey.generate();
        FakeConnection receiver = connect(receiverKey);
        FakeConnection sender = connect(NodePrivateKey.generate());
        receiver.stall();

        for (int i = 0; i < 3; i++) {
            send(sender, Frames.sendPacket(receiverKey.publicKey(), Buffer.buffer("packet " + i)));
        }
        await().atMost(Duration.ofSeconds(5)).until(receiver::isClosed);
        settle();

        assertEquals(1, metrics.writeTimeouts());
        assertEquals(3, metrics.drops(DropReason.WRITE_ERROR, false));
        assertEquals(0, metrics.drops(DropReason.GONE_DISCONNECTED, false));
        assertEquals(0, receiver.count(FrameType.RECV_PACKET));
    }

    @Test
    void packetsQueuedForAConnectionThatHungUpAreGoneDisconnected() throws Exception {
        startServer(DerpServerOptions.defaults());
        NodePrivateKey receiverKey = NodePrivateKey.generate();
        FakeConnection receiver = connect(receiverKey);
        FakeConnection sender = connect(NodePrivateKey.generate());
        receiver.stall();

        for (int i = 0; i < 2; i++) {
            send(sender, Frames.sendPacket(receiverKey.publicKey(), Buffer.buffer("packet " + i)));
        }
        receiver.hangUp();
        settle();

        assertEquals(2, metrics.drops(DropReason.GONE_DISCONNECTED, false));
        assertEquals(0, metrics.drops(DropReason.WRITE_ERROR, false));
    }

    /** Accepts a fake connection and completes its handshake as {@code key}. */
    private FakeConnection connect(NodePrivateKey key) throws Exception {
        FakeConnection connection = new FakeConnection(loop);
        onLoop(() -> server.accept(connection, false));
        send(connection, Frames.clientInfo(key, server.publicKey(), ClientInfo.regular()));
        assertEquals(1, connection.count(FrameType.SERVER_INFO), "handshake done");
        return connection;
    }

    /** Feeds a frame to the session and waits until the loop has handled it and run the flush it scheduled. */
    private void send(FakeConnection connection, Buffer frame) throws Exception {
        connection.receive(frame);
        settle();
    }

    /** Waits for the loop to run what is queued there now and what those tasks queue in turn (a flush). */
    private void settle() throws Exception {
        for (int i = 0; i < 3; i++) {
            onLoop(() -> { });
        }
    }

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    /** Runs {@code action} on the sessions' loop after everything queued there before it. */
    private void onLoop(Runnable action) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.runOnContext(v -> {
            action.run();
            done.complete(null);
        });
        done.get(5, TimeUnit.SECONDS);
        assertTrue(done.isDone());
    }
}
