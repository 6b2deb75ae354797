package dev.switchboard.derp.server;

import dev.switchboard.derp.DerpLimits;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The frames waiting for one client: a bounded packet queue, a bounded disco queue, the control frames
 * (PeerGone, PeerPresent, KeepAlive...) and the senders paused until the packet queue has room.
 *
 * <p>Threading: the producer side ({@link #offerPacket}, {@link #enqueueControl}, {@link #waitForRoom},
 * {@link #scheduleFlush}) is called from <em>any</em> session's event loop, the sender's, not the owner's; it is
 * lock-free, guarded by the concurrent queues, the atomics and the volatile {@link #closed}. The consumer side
 * ({@link #pollControl}, {@link #pollPacket}, {@link #wakeWaitingSenders}, {@link #close}) is called only from the
 * owning session's event loop, by its single writer.
 *
 * <p>Drop policy, as derper's {@code sendPkt} (Tailscale's `derp/derp_server.go`): a sender that may not wait
 * (disco packets, mesh peers) makes room by dropping the oldest queued packet ({@code queue_head}), up to
 * {@link #DROP_OLDEST_ATTEMPTS} times, then drops its own ({@code queue_tail}). Other senders are told
 * {@link Offer#FULL} and wait (see {@link SenderBackpressure}).
 *
 * <p>Packet frames are reference-counted direct buffers. Whoever takes one out of a queue owns it: it either passes
 * it to the connection's writer or releases it when dropping it.
 */
final class ClientSendQueue {
    /**
     * How often a sender that may not wait drops the queue's oldest packet to make room before dropping its own:
     * derper's {@code sendPkt} ("Attempt to queue for sending up to 3 times"), Tailscale's `derp/derp_server.go`.
     */
    static final int DROP_OLDEST_ATTEMPTS = 3;

    /** What became of an offered packet. */
    enum Offer {
        /** Queued; the queue owns the frame. */
        QUEUED,
        /** The queue is full and the sender may wait; the caller keeps the frame. */
        FULL,
        /** The receiver is closed; the caller keeps the frame. */
        GONE,
        /** Dropped (and released) as {@code queue_tail} after the drop-oldest attempts failed. */
        DROPPED
    }

    // Immutable after construction.
    private final DerpMetrics metrics;
    private final Context ownerLoop;
    private final Runnable writer;
    private final Consumer<String> closeFromAnyThread;
    private final int controlLimit;
    /** Room the writer must have made before it wakes paused senders (half the queue, so they resume in bursts). */
    private final int wakeRoom;
    /** {@link #scheduleFlush}'s task, made once: a lambda there would be a new object per flush (about per packet). */
    private final Handler<Void> runWriter;

    // Any thread: concurrent structures and atomics.
    private final ArrayBlockingQueue<ByteBuf> packets;
    private final ArrayBlockingQueue<ByteBuf> discoPackets;
    private final ConcurrentLinkedQueue<Buffer> control = new ConcurrentLinkedQueue<>();
    private final AtomicInteger controlSize = new AtomicInteger();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    /** Each entry resumes one paused sender on that sender's own loop. */
    private final ConcurrentLinkedQueue<Runnable> waitingSenders = new ConcurrentLinkedQueue<>();
    /** Set once, by the owner's loop, when the session closes. */
    private volatile boolean closed;

    /**
     * @param ownerLoop          the receiving session's event loop, where {@code writer} runs
     * @param writer             the session's writer; run on {@code ownerLoop} after frames are queued
     * @param closeFromAnyThread closes the session (from any thread) when its control queue overflows
     */
    ClientSendQueue(DerpMetrics metrics, DerpServerOptions options, Context ownerLoop, Runnable writer,
                    Consumer<String> closeFromAnyThread) {
        this.metrics = metrics;
        this.ownerLoop = ownerLoop;
        this.writer = writer;
        this.runWriter = v -> {
            flushScheduled.set(false);
            writer.run();
        };
        this.closeFromAnyThread = closeFromAnyThread;
        this.controlLimit = options.controlQueueLimit();
        this.wakeRoom = Math.max(1, options.sendQueueDepth() / 2);
        this.packets = new ArrayBlockingQueue<>(options.sendQueueDepth());
        this.discoPackets = new ArrayBlockingQueue<>(options.sendQueueDepth());
    }

    // ---- producer side (any thread) ----------------------------------------------------------------------------

    /**
     * Queues a RecvPacket frame. The queue takes ownership of the frame on QUEUED and DROPPED; on GONE and FULL
     * the caller keeps it. {@code mayWait} false applies the drop-oldest policy instead of answering FULL.
     */
    Offer offerPacket(ByteBuf frame, boolean disco, boolean mayWait) {
        if (closed) {
            return Offer.GONE;
        }
        ArrayBlockingQueue<ByteBuf> queue = disco ? discoPackets : packets;
        if (queue.offer(frame)) {
            return queued(queue, disco);
        }
        return mayWait ? Offer.FULL : dropOldestThenOffer(queue, frame, disco);
    }

    private Offer dropOldestThenOffer(ArrayBlockingQueue<ByteBuf> queue, ByteBuf frame, boolean disco) {
        for (int attempt = 0; attempt < DROP_OLDEST_ATTEMPTS; attempt++) {
            ByteBuf oldest = queue.poll();
            if (oldest != null) {
                drop(oldest, DropReason.QUEUE_HEAD, disco);
            }
            if (queue.offer(frame)) {
                return queued(queue, disco);
            }
        }
        drop(frame, DropReason.QUEUE_TAIL, disco);
        return Offer.DROPPED;
    }

    /**
     * The session may have closed (and emptied its queues) between the closed check and the offer; the frame would
     * then never be written nor released, so the offering thread empties the queue itself.
     */
    private Offer queued(ArrayBlockingQueue<ByteBuf> queue, boolean disco) {
        if (closed) {
            dropAll(queue, disco, DropReason.GONE_DISCONNECTED);
        } else {
            scheduleFlush();
        }
        return Offer.QUEUED;
    }

    /**
     * Registers a paused sender; {@code resume} is run (from this queue's thread, so it must hop to the sender's
     * own loop) once the packet queue has room or the receiver closed. Re-checks to close the race with the writer.
     */
    void waitForRoom(Runnable resume) {
        waitingSenders.add(resume);
        if (packets.remainingCapacity() > 0 || closed) {
            wakeWaitingSenders(1);
        }
    }

    /** Queues a control frame; false if the receiver is closed, or is being closed because too many piled up. */
    boolean enqueueControl(Buffer frame) {
        if (closed) {
            return false;
        }
        if (controlSize.incrementAndGet() > controlLimit) {
            controlSize.decrementAndGet();
            closeFromAnyThread.accept("control queue overflow (receiver too slow)");
            return false;
        }
        control.add(frame);
        scheduleFlush();
        return true;
    }

    /** Runs the writer on the owner's loop, once for any number of calls until it starts. */
    void scheduleFlush() {
        if (flushScheduled.compareAndSet(false, true)) {
            ownerLoop.runOnContext(runWriter);
        }
    }

    /** Packets waiting in both queues (any thread; a snapshot). */
    int queuedPackets() {
        return packets.size() + discoPackets.size();
    }

    // ---- consumer side (the owner's event loop) ----------------------------------------------------------------

    /** The next control frame, or null. */
    Buffer pollControl() {
        Buffer frame = control.poll();
        if (frame != null) {
            controlSize.decrementAndGet();
        }
        return frame;
    }

    /** The next packet frame, disco first, or null; the caller owns it. */
    ByteBuf pollPacket() {
        ByteBuf packet = discoPackets.poll();
        return packet != null ? packet : packets.poll();
    }

    boolean isEmpty() {
        return control.isEmpty() && discoPackets.isEmpty() && packets.isEmpty();
    }

    /** After the writer made room: resumes every paused sender if at least half the packet queue is free. */
    void wakeWaitingSenders() {
        wakeWaitingSenders(wakeRoom);
    }

    private void wakeWaitingSenders(int minimumRoom) {
        if (waitingSenders.isEmpty() || (!closed && packets.remainingCapacity() < minimumRoom)) {
            return;
        }
        Runnable resume;
        while ((resume = waitingSenders.poll()) != null) {
            resume.run();
        }
    }

    /**
     * The receiver closed: refuses further frames, drops the queued packets as {@code reason} (gone_disconnected,
     * or write_error when its writes failed) and resumes every paused sender, which then sees GONE.
     */
    void close(DropReason reason) {
        closed = true;
        dropAll(discoPackets, true, reason);
        dropAll(packets, false, reason);
        control.clear();
        wakeWaitingSenders(0);
    }

    /** Empties a queue. Any thread: each frame is taken by exactly one poll. */
    private void dropAll(ArrayBlockingQueue<ByteBuf> queue, boolean disco, DropReason reason) {
        ByteBuf frame;
        while ((frame = queue.poll()) != null) {
            drop(frame, reason, disco);
        }
    }

    private void drop(ByteBuf frame, DropReason reason, boolean disco) {
        metrics.packetDropped(reason, disco, packetLength(frame));
        frame.release();
    }

    /** Packet bytes in a RecvPacket frame: total minus header and source key. */
    static int packetLength(ByteBuf recvPacketFrame) {
        return recvPacketFrame.readableBytes() - DerpLimits.FRAME_HEADER_LEN - DerpLimits.KEY_LEN;
    }
}
