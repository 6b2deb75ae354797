package dev.switchboard.testing;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.DerpMessage;
import io.vertx.core.buffer.Buffer;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A {@link DerpClient} whose messages (keep-alives aside) land in a queue a test can wait on. */
public final class TestClient implements AutoCloseable {
    private final DerpClient client;
    private final BlockingQueue<DerpMessage> received = new LinkedBlockingQueue<>();

    TestClient(DerpClient client) {
        this.client = client;
        client.messageHandler(message -> {
            if (!(message instanceof DerpMessage.KeepAlive)) {
                received.add(message);
            }
        });
    }

    public DerpClient client() {
        return client;
    }

    public NodeKey key() {
        return client.publicKey();
    }

    public TestClient send(TestClient to, String text) {
        client.send(to.key(), Buffer.buffer(text));
        return this;
    }

    /** Waits up to 5 s for the next message, which must be of the given type. */
    public <T extends DerpMessage> T next(Class<T> type) {
        try {
            DerpMessage message = received.poll(5, TimeUnit.SECONDS);
            assertNotNull(message, "expected a " + type.getSimpleName() + " within 5 s");
            return assertInstanceOf(type, message);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    public DerpMessage.ReceivedPacket nextPacket() {
        return next(DerpMessage.ReceivedPacket.class);
    }

    /** Asserts that nothing (but keep-alives) arrives for {@code millis}. */
    public void expectNothing(long millis) {
        try {
            assertNull(received.poll(millis, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        TestRelay.await(client.close());
    }
}
