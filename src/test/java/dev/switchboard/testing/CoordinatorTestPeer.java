package dev.switchboard.testing;

import dev.switchboard.coordinator.client.CoordinatorClient;
import dev.switchboard.coordinator.client.CoordinatorClientOptions;
import dev.switchboard.coordinator.client.CoordinatorEvent;
import dev.switchboard.coordinator.client.CoordinatorEvent.PeerChange;
import io.vertx.core.Vertx;

import java.net.URI;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A {@link CoordinatorClient} whose events a test reads in order, with a 5 s budget per event. */
public final class CoordinatorTestPeer implements AutoCloseable {
    private final BlockingQueue<CoordinatorEvent> events = new LinkedBlockingQueue<>();
    private final CoordinatorClient client;

    private CoordinatorTestPeer(Vertx vertx, CoordinatorClientOptions options) {
        client = CoordinatorClient.connect(vertx, options, events::add);
    }

    /** Starts a peer against {@code http://127.0.0.1:port} without waiting for it to connect. */
    public static CoordinatorTestPeer start(Vertx vertx, CoordinatorClientOptions options) {
        return new CoordinatorTestPeer(vertx, options);
    }

    public static CoordinatorClientOptions options(int port, String token, CoordinatorClientOptions.Target target) {
        return CoordinatorClientOptions.of(URI.create("http://127.0.0.1:" + port), token, target);
    }

    /** Starts a peer and waits for its first stream; returns it with the Connected event consumed. */
    public static CoordinatorTestPeer connect(Vertx vertx, int port, String token,
                                              CoordinatorClientOptions.Target target) {
        CoordinatorTestPeer peer = start(vertx, options(port, token, target));
        peer.next(CoordinatorEvent.Connected.class);
        return peer;
    }

    public CoordinatorClient client() {
        return client;
    }

    public UUID peerId() {
        return client.peerId().orElseThrow();
    }

    /** The next event, whatever it is. */
    public CoordinatorEvent next() {
        try {
            CoordinatorEvent event = events.poll(5, TimeUnit.SECONDS);
            assertNotNull(event, "expected a coordinator event within 5 s");
            return event;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The next event, which must be of {@code type}. */
    public <T extends CoordinatorEvent> T next(Class<T> type) {
        return assertInstanceOf(type, next());
    }

    public PeerChange nextPeerChange() {
        return next(PeerChange.class);
    }

    public void expectNothing(long millis) throws InterruptedException {
        assertNull(events.poll(millis, TimeUnit.MILLISECONDS));
    }

    /** Hangs up without disconnect and waits until the client has stopped. */
    @Override
    public void close() {
        TestRelay.await(client.close());
    }
}
