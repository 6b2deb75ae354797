package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpNode;
import dev.switchboard.derpmap.DerpRegion;
import dev.switchboard.testing.TestRelay;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A relay behind a proxy that answers {@code Upgrade: DERP} with an error but passes WebSockets (the corporate proxy
 * case Coder's fork of derphttp falls back for): the magic socket reaches its home region over WebSocket. A failsafe
 * test, in a JVM of its own: in surefire's shared JVM, after the Quarkus and Jazzer suites, the proxy's WebSocket
 * upgrade was answered 403 (cause not found), which says nothing about the fallback.
 */
class DerpWebSocketFallbackIT {
    @Test
    void aRefusedUpgradeFallsBackToDerpOverWebSocket() throws Exception {
        Vertx vertx = Vertx.vertx();
        AtomicInteger refusedUpgrades = new AtomicInteger();
        AtomicInteger webSockets = new AtomicInteger();
        try (TestRelay relay = TestRelay.start()) {
            HttpServer proxy = vertx.createHttpServer(new HttpServerOptions().setWebSocketSubProtocols(List.of("derp")))
                    .requestHandler(request -> {
                        if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
                            refusedUpgrades.incrementAndGet();
                            request.response().setStatusCode(403).end("upgrades other than websocket are not allowed");
                            return;
                        }
                        request.pause();
                        vertx.createWebSocketClient().connect(new WebSocketConnectOptions().setHost("127.0.0.1")
                                .setPort(relay.port()).setURI("/derp").addSubProtocol("derp"))
                                .onSuccess(upstream -> request.toWebSocket().onSuccess(ws -> {
                                    webSockets.incrementAndGet();
                                    ws.binaryMessageHandler(upstream::writeBinaryMessage);
                                    upstream.binaryMessageHandler(ws::writeBinaryMessage);
                                    ws.closeHandler(v -> upstream.close());
                                    upstream.closeHandler(v -> ws.close());
                                }))
                                .onFailure(e -> request.response().setStatusCode(502).end());
                    });
            int port = TestRelay.await(proxy.listen(0, "127.0.0.1")).actualPort();
            DerpMap map = DerpMap.of(Map.of(1L, DerpRegion.of(false, 1, "proxied", "Behind a proxy",
                    List.of(DerpNode.relay("1a", 1, "127.0.0.1", port, -1, true)))));
            Context context = vertx.getOrCreateContext();
            DerpConnections[] derp = new DerpConnections[1];
            context.runOnContext(v -> {
                derp[0] = new DerpConnections(vertx, context, NodePrivateKey.generate(), System::nanoTime,
                        new Drops(), (region, source, payload) -> { });
                derp[0].setMap(map, false);
                derp[0].setHome(1);
            });
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> derp[0] != null && onLoop(context,
                    () -> derp[0].homeConnected()));
            assertTrue(refusedUpgrades.get() >= 1, "the upgrade was tried first");
            assertTrue(webSockets.get() >= 1, "then WebSocket");
            context.runOnContext(v -> derp[0].close());
        } finally {
            TestRelay.await(vertx.close());
        }
    }

    private static boolean onLoop(Context context, java.util.function.BooleanSupplier check) throws Exception {
        java.util.concurrent.CompletableFuture<Boolean> result = new java.util.concurrent.CompletableFuture<>();
        context.runOnContext(v -> result.complete(check.getAsBoolean()));
        return result.get();
    }
}
