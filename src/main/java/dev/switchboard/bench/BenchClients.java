package dev.switchboard.bench;

import dev.switchboard.vertx.VertxInternals;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.DerpClientOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.net.URI;
import java.util.concurrent.TimeUnit;

/** DERP clients for the load tools: a fresh key each, any certificate trusted (benchmarks, not production). */
final class BenchClients {
    private BenchClients() {
    }

    /** A new event-loop context, taking the loops in turn, so a load run spreads over every core. */
    static Context newContext(Vertx vertx) {
        return VertxInternals.newEventLoopContext(vertx);
    }

    static Future<DerpClient> connectAsync(Vertx vertx, Context context, URI url, boolean webSocket) {
        return DerpClient.connect(vertx, context, DerpClientOptions.of(url, NodePrivateKey.generate())
                .withWebSocket(webSocket).withTrustAll(true));
    }

    static DerpClient connect(Vertx vertx, Context context, URI url, boolean webSocket) throws Exception {
        return connectAsync(vertx, context, url, webSocket).toCompletionStage().toCompletableFuture()
                .get(15, TimeUnit.SECONDS);
    }
}
