package dev.switchboard.derp.server;

import dev.switchboard.derp.DerpConnection;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The sender side of overload: when a destination's packet queue is full, this session stops reading (TCP then
 * slows its client down) and holds the one packet it could not queue until the destination drains, for at most
 * {@link DerpServerOptions#backpressureTimeout()}; only then is the packet dropped as {@code queue_tail}.
 * Disco packets and packets from mesh peers never come here: their queue drops its oldest entry instead.
 *
 * <p>Threading: confined to the sending session's event loop; every field is owned by it. The destination's queue
 * wakes it through {@link ClientSendQueue#waitForRoom}, whose callback hops back onto this loop.
 */
final class SenderBackpressure {
    /** A packet waiting for room in {@code target}; this session owns {@code frame} until it is queued or dropped. */
    private record HeldPacket(ClientSendQueue target, ByteBuf frame) {
    }

    // Immutable after construction.
    private final DerpConnection connection;
    private final DerpMetrics metrics;
    private final Vertx vertx;
    private final long timeoutMillis;
    /** Called once the hold ends (queued, dropped or timed out): the session reads on and resumes its socket. */
    private final Runnable onRelease;
    /** Run by the destination's queue (any thread): retries the held packet on this session's own loop. */
    private final Runnable retryOnOwnLoop;

    // Owned by the session's event loop.
    private HeldPacket held;
    private boolean paused;
    private long timer = -1;

    SenderBackpressure(DerpConnection connection, DerpMetrics metrics, Vertx vertx, long timeoutMillis,
                       Runnable onRelease) {
        this.connection = connection;
        this.metrics = metrics;
        this.vertx = vertx;
        this.timeoutMillis = timeoutMillis;
        this.onRelease = onRelease;
        Context loop = connection.context();
        this.retryOnOwnLoop = () -> loop.runOnContext(v -> retry());
    }

    /** Whether reading is paused behind a held packet. */
    boolean paused() {
        return paused;
    }

    /** {@code target} answered FULL for {@code frame}: pause reading and wait for room (or the timeout). */
    void hold(ClientSendQueue target, ByteBuf frame) {
        held = new HeldPacket(target, frame);
        metrics.senderPaused();
        paused = true;
        connection.pause();
        timer = vertx.setTimer(timeoutMillis, id -> {
            timer = -1;
            if (held != null) {
                drop(DropReason.QUEUE_TAIL);
                release();
            }
        });
        target.waitForRoom(retryOnOwnLoop);
    }

    /** The held packet's target has room (or is gone): offer it again. */
    private void retry() {
        if (held == null) {
            return;
        }
        switch (held.target().offerPacket(held.frame(), false, true)) {
            case FULL -> held.target().waitForRoom(retryOnOwnLoop);
            case GONE -> {
                drop(DropReason.GONE_DISCONNECTED);
                release();
            }
            default -> release();
        }
    }

    private void release() {
        held = null;
        cancelTimer();
        paused = false;
        onRelease.run();
    }

    /** The sending session closed: the held packet, if any, is dropped as {@code gone_disconnected}. */
    void close() {
        cancelTimer();
        if (held != null) {
            drop(DropReason.GONE_DISCONNECTED);
            held = null;
        }
    }

    private void drop(DropReason reason) {
        metrics.packetDropped(reason, false, ClientSendQueue.packetLength(held.frame()));
        held.frame().release();
    }

    private void cancelTimer() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
