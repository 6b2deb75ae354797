package dev.switchboard.derp.server;

import dev.switchboard.derp.DerpLimits;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.NodePrivateKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-client queues on their own: derper's drop-oldest policy, waiting senders, control overflow, close. */
class ClientSendQueueTest {
    private static final int DEPTH = 4;

    private final Vertx vertx = Vertx.vertx();
    private final DerpMetrics metrics = new DerpMetrics(new SimpleMeterRegistry());
    private final List<String> closeRequests = new ArrayList<>();
    private final List<ByteBuf> allocated = new ArrayList<>();
    private final ClientSendQueue queue = new ClientSendQueue(metrics, options(), vertx.getOrCreateContext(), () -> {
    }, closeRequests::add);

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (ByteBuf frame : allocated) {
            assertEquals(0, frame.refCnt(), "every frame was written or released");
        }
    }

    @Test
    void aSenderThatMayNotWaitDropsTheOldestPacket() {
        for (int i = 0; i < DEPTH; i++) {
            assertEquals(ClientSendQueue.Offer.QUEUED, queue.offerPacket(packet(i), true, false));
        }
        assertEquals(ClientSendQueue.Offer.QUEUED, queue.offerPacket(packet(DEPTH), true, false));
        assertEquals(1, metrics.drops(DropReason.QUEUE_HEAD, true));
        for (int i = 1; i <= DEPTH; i++) {
            assertEquals(i, firstPacketByte(queue.pollPacket()), "oldest first, packet 0 dropped");
        }
        assertNull(queue.pollPacket());
    }

    @Test
    void aSenderThatMayWaitIsToldFullAndKeepsItsPacket() {
        for (int i = 0; i < DEPTH; i++) {
            queue.offerPacket(packet(i), false, true);
        }
        ByteBuf extra = packet(9);
        assertEquals(ClientSendQueue.Offer.FULL, queue.offerPacket(extra, false, true));
        assertEquals(1, extra.refCnt());
        extra.release();
        assertEquals(0, metrics.drops(DropReason.QUEUE_HEAD, false) + metrics.drops(DropReason.QUEUE_TAIL, false));
        drain();
    }

    @Test
    void discoPacketsLeaveFirst() {
        queue.offerPacket(packet(1), false, true);
        queue.offerPacket(packet(2), true, false);
        assertEquals(2, firstPacketByte(queue.pollPacket()));
        assertEquals(1, firstPacketByte(queue.pollPacket()));
    }

    @Test
    void waitingSendersResumeOnceHalfTheQueueIsFree() {
        for (int i = 0; i < DEPTH; i++) {
            queue.offerPacket(packet(i), false, true);
        }
        AtomicInteger resumed = new AtomicInteger();
        queue.waitForRoom(resumed::incrementAndGet);
        assertEquals(0, resumed.get());

        queue.pollPacket().release();
        queue.wakeWaitingSenders();
        assertEquals(0, resumed.get(), "one free slot is less than half of " + DEPTH);

        queue.pollPacket().release();
        queue.wakeWaitingSenders();
        assertEquals(1, resumed.get());
        drain();
    }

    @Test
    void closingDropsWhatIsQueuedWithTheGivenReasonWakesSendersAndRefusesMore() {
        for (int i = 0; i < DEPTH; i++) {
            queue.offerPacket(packet(i), false, true);
        }
        queue.offerPacket(packet(DEPTH), true, false);
        AtomicInteger resumed = new AtomicInteger();
        queue.waitForRoom(resumed::incrementAndGet);
        assertEquals(0, resumed.get());

        queue.close(DropReason.WRITE_ERROR);
        assertEquals(1, resumed.get(), "a paused sender learns the receiver is gone");
        assertEquals(DEPTH, metrics.drops(DropReason.WRITE_ERROR, false));
        assertEquals(1, metrics.drops(DropReason.WRITE_ERROR, true));
        ByteBuf late = packet(3);
        assertEquals(ClientSendQueue.Offer.GONE, queue.offerPacket(late, false, true));
        late.release();
        assertFalse(queue.enqueueControl(Frames.keepAlive()));
        assertTrue(queue.isEmpty());
    }

    @Test
    void aReceiverThatLetsControlFramesPileUpIsClosed() {
        assertTrue(queue.enqueueControl(Frames.keepAlive()));
        assertTrue(queue.enqueueControl(Frames.keepAlive()));
        assertFalse(queue.enqueueControl(Frames.keepAlive()));
        assertEquals(List.of("control queue overflow (receiver too slow)"), closeRequests);
        assertTrue(queue.pollControl() != null && queue.pollControl() != null);
        assertNull(queue.pollControl());
        assertTrue(queue.enqueueControl(Frames.keepAlive()), "room again once written");
    }

    private ByteBuf packet(int marker) {
        Buffer source = Buffer.buffer(NodePrivateKey.generate().publicKey().toBytes());
        ByteBuf frame = Frames.recvPacket(UnpooledByteBufAllocator.DEFAULT, source, 0,
                Buffer.buffer().appendByte((byte) marker).appendString(" payload"), 0, 9);
        allocated.add(frame);
        return frame;
    }

    private static int firstPacketByte(ByteBuf frame) {
        int marker = frame.getByte(DerpLimits.FRAME_HEADER_LEN + DerpLimits.KEY_LEN);
        frame.release();
        return marker;
    }

    private void drain() {
        ByteBuf frame;
        while ((frame = queue.pollPacket()) != null) {
            frame.release();
        }
    }

    private static DerpServerOptions options() {
        DerpServerOptions defaults = DerpServerOptions.defaults();
        return new DerpServerOptions(defaults.meshKey(), defaults.keepAlive(), defaults.keepAliveJitter(),
                defaults.handshakeTimeout(), defaults.writeTimeout(), defaults.meshWriteTimeout(), DEPTH,
                Duration.ofMillis(250), 2, ReceiveRate.UNLIMITED, 0);
    }
}
