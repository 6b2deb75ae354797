package dev.switchboard.derp.server;

import dev.switchboard.derp.ClientInfo;
import dev.switchboard.derp.DerpLimits;
import dev.switchboard.testing.RawDerpSocket;
import dev.switchboard.testing.TestClient;
import dev.switchboard.testing.TestRelay;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Overload: a receiver that stops reading holds at most its queues, slows its sender, and is cut off when stuck. */
class DerpBackpressureTest {

    @Test
    void stuckReceiverIsBoundedPausesItsSenderAndIsClosedByTheWriteTimeout() throws Exception {
        DerpServerOptions options = DerpServerOptions.defaults()
                .withTimers(DerpLimits.KEEP_ALIVE, DerpLimits.HANDSHAKE_TIMEOUT, Duration.ofMillis(1500));
        try (TestRelay relay = TestRelay.start(options);
             RawDerpSocket stuck = new RawDerpSocket(relay.port(), 4096);
             TestClient sender = relay.connect();
             TestClient other = relay.connect()) {
            stuck.handshake(ClientInfo.regular());
            var stuckKey = stuck.key().publicKey();
            DerpMetrics metrics = relay.server().metrics();
            int depth = options.sendQueueDepth();

            byte[] packet = new byte[1200];
            for (int i = 0; i < 20_000 && relay.server().isConnected(stuckKey); i++) {
                sender.client().send(stuckKey, Buffer.buffer(packet));
                if (i % 500 == 0) {
                    assertTrue(relay.server().queuedPackets(stuckKey) <= 2 * depth,
                            "queued " + relay.server().queuedPackets(stuckKey));
                }
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> metrics.backpressurePauses() > 0);
            assertTrue(relay.server().queuedPackets(stuckKey) <= 2 * depth);

            await().atMost(Duration.ofSeconds(15)).until(() -> !relay.server().isConnected(stuckKey));
            assertTrue(metrics.writeTimeouts() >= 1);
            assertTrue(stuck.closedWithin(5000));

            // The paused sender was resumed and still relays to others.
            sender.send(other, "after the stall");
            assertEquals("after the stall", other.nextPacket().data().toString());
        }
    }

    @Test
    void fastSenderToAReadingReceiverLosesNothing() {
        // Generous limits: "reading" must not depend on the receiver's loop being scheduled within 250 ms on a
        // loaded machine; the property is that backpressure, not dropping, absorbs the sender's speed.
        DerpServerOptions patient = options().withTimers(DerpLimits.KEEP_ALIVE, DerpLimits.HANDSHAKE_TIMEOUT,
                Duration.ofSeconds(10)).withBackpressureTimeout(Duration.ofSeconds(10));
        try (TestRelay relay = TestRelay.start(patient); TestClient a = relay.connect(); TestClient b = relay.connect()) {
            int count = 20_000;
            for (int i = 0; i < count; i++) {
                a.client().send(b.key(), Buffer.buffer(1200).appendInt(i).appendBytes(new byte[1196]));
            }
            for (int i = 0; i < count; i++) {
                assertEquals(i, b.nextPacket().data().getInt(0));
            }
            DerpMetrics metrics = relay.server().metrics();
            for (DropReason reason : DropReason.values()) {
                assertEquals(0, metrics.drops(reason, false), reason.label());
            }
        }
    }

    @Test
    void discoPacketsNeverPauseTheSenderAndDropOldestFirst() throws Exception {
        try (TestRelay relay = TestRelay.start();
             RawDerpSocket stuck = new RawDerpSocket(relay.port(), 4096);
             TestClient sender = relay.connect()) {
            stuck.handshake(ClientInfo.regular());
            DerpMetrics metrics = relay.server().metrics();
            Buffer disco = DerpRelayTest.discoPacket().appendBytes(new byte[1000]);
            for (int i = 0; i < 20_000; i++) {
                sender.client().send(stuck.key().publicKey(), disco);
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> metrics.drops(DropReason.QUEUE_HEAD, true) > 0);
            assertEquals(0, metrics.backpressurePauses());
            assertTrue(relay.server().queuedPackets(stuck.key().publicKey()) <= options().sendQueueDepth());
            TestRelay.await(sender.client().ping());
        }
    }

    private static DerpServerOptions options() {
        return DerpServerOptions.defaults();
    }
}
