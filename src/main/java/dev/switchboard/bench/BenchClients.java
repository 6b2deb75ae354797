package dev.switchboard.bench;

import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.DerpClientOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.net.URI;
import java.util.concurrent.TimeUnit;

/** DERP clients for the load tools: a fresh key each, any certificate trusted (benchmarks, not production). */
final class BenchClients {
    private BenchClients() {
    }

    static Future<DerpClient> connectAsync(Vertx vertx, URI url, boolean webSocket) {
        return DerpClient.connect(vertx, DerpClientOptions.of(url, NodePrivateKey.generate())
                .withWebSocket(webSocket).withTrustAll(true));
    }

    static DerpClient connect(Vertx vertx, URI url, boolean webSocket) throws Exception {
        return connectAsync(vertx, url, webSocket).toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    }
}
