package dev.switchboard.derp.server;

import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.PeerGoneReason;
import dev.switchboard.derp.client.DerpMessage;
import dev.switchboard.testing.TestClient;
import dev.switchboard.testing.TestRelay;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Duplicate keys (Tailscale's `derp/derp_server.go` dupClientSet): all connections stay open, the most recent sender receives. */
class DerpDuplicateClientTest {

    @Test
    void lastWriterIsActiveAndOlderConnectionsAreNeverClosed() {
        try (TestRelay relay = TestRelay.start(); TestClient sender = relay.connect()) {
            NodePrivateKey key = NodePrivateKey.generate();
            TestClient first = relay.connect(relay.options(key));
            TestClient second = relay.connect(relay.options(key));

            sender.client().send(key.publicKey(), Buffer.buffer("to newest"));
            assertEquals("to newest", second.nextPacket().data().toString());

            first.client().notePreferred(true);
            TestRelay.await(first.client().ping());
            sender.client().send(key.publicKey(), Buffer.buffer("to last writer"));
            assertEquals("to last writer", first.nextPacket().data().toString());
            second.expectNothing(200);

            int before = relay.server().connectionCount();
            first.close();
            await().until(() -> relay.server().connectionCount() == before - 1);
            sender.client().send(key.publicKey(), Buffer.buffer("to survivor"));
            assertEquals("to survivor", second.nextPacket().data().toString());
            sender.expectNothing(200);

            second.send(sender, "reply");
            assertEquals("reply", sender.nextPacket().data().toString());
            second.close();
            DerpMessage.PeerGone gone = sender.next(DerpMessage.PeerGone.class);
            assertEquals(key.publicKey(), gone.peer());
            assertEquals(PeerGoneReason.DISCONNECTED, gone.reason());
        }
    }
}
