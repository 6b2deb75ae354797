package dev.switchboard.testing;

import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.derp.server.DerpMetrics;
import dev.switchboard.derp.server.DerpServer;
import dev.switchboard.derp.server.DerpServerOptions;
import dev.switchboard.derp.transport.DerpHttpOptions;
import dev.switchboard.derp.transport.DerpUpgradeHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.Router;

import org.awaitility.Awaitility;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A relay on a bare Vert.x HTTP server bound to an ephemeral loopback port, with options a test chooses (short
 * timers, small queues). Same upgrade handler and server as production; no Quarkus boot.
 *
 * <p>Relayed packet frames come from an allocator that counts live buffers, and {@link #close()} fails the test
 * if any is still allocated once every connection is gone: each relay test doubles as a leak check of the
 * queue, drop and close paths.
 */
public final class TestRelay implements AutoCloseable {
    private final Vertx vertx;
    private final DerpServer server;
    private final HttpServer http;
    private final UnpooledByteBufAllocator packetAllocator;

    private TestRelay(Vertx vertx, DerpServer server, HttpServer http, UnpooledByteBufAllocator packetAllocator) {
        this.vertx = vertx;
        this.server = server;
        this.http = http;
        this.packetAllocator = packetAllocator;
    }

    public static TestRelay start(DerpServerOptions options) {
        Vertx vertx = Vertx.vertx();
        UnpooledByteBufAllocator packetAllocator = new UnpooledByteBufAllocator(true);
        DerpServer server = new DerpServer(vertx, NodePrivateKey.generate(), options,
                new DerpMetrics(new SimpleMeterRegistry()), packetAllocator);
        Router router = Router.router(vertx);
        router.route("/derp").handler(new DerpUpgradeHandler(server));
        HttpServer http = vertx.createHttpServer(DerpHttpOptions.apply(new HttpServerOptions().setHost("127.0.0.1")))
                .requestHandler(router);
        await(http.listen(0));
        return new TestRelay(vertx, server, http, packetAllocator);
    }

    public static TestRelay start() {
        return start(DerpServerOptions.defaults());
    }

    public DerpServer server() {
        return server;
    }

    public Vertx vertx() {
        return vertx;
    }

    public int port() {
        return http.actualPort();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port() + "/derp");
    }

    public DerpClientOptions options(NodePrivateKey key) {
        return DerpClientOptions.of(url(), key);
    }

    public TestClient connect() {
        return connect(options(NodePrivateKey.generate()));
    }

    public TestClient connect(DerpClientOptions options) {
        DerpClient client = await(DerpClient.connect(vertx, options));
        return new TestClient(client);
    }

    public static <T> T await(io.vertx.core.Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("operation did not complete: " + e, e);
        }
    }

    /**
     * Connects a {@link ClientWebSocket} whose handlers are already set, from an event loop: Vert.x
     * attaches those handlers in the connect future's callback, which from a non-Vert.x thread runs on another
     * thread while a message the server writes with the upgrade (the DERP-map stream's first map) may already have
     * been delivered to no handler.
     */
    public static WebSocket connect(Vertx vertx, ClientWebSocket socket, WebSocketConnectOptions options) {
        Promise<WebSocket> connected = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> socket.connect(options).onComplete(connected));
        return await(connected.future());
    }

    /** Bytes of relayed packet frames currently allocated (queued, held or being written). */
    public long packetBytesAllocated() {
        return packetAllocator.metric().usedDirectMemory();
    }

    @Override
    public void close() {
        await(vertx.close());
        Awaitility.await("every relayed packet buffer released").atMost(Duration.ofSeconds(5)).until(() -> packetBytesAllocated() == 0);
    }
}
