package dev.switchboard.bench;

import dev.switchboard.derp.client.DerpClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Opens N idle DERP clients (in batches), holds them, and reports connect time. */
public final class DerpIdleConnections {
    public record Result(int opened, Duration connectTime, List<DerpClient> clients) {
    }

    private DerpIdleConnections() {
    }

    public static Result open(Vertx vertx, URI url, boolean webSocket, int count, int batch) throws Exception {
        List<DerpClient> clients = new ArrayList<>(count);
        long start = System.nanoTime();
        for (int done = 0; done < count; done += batch) {
            List<Future<DerpClient>> connecting = new ArrayList<>();
            for (int i = done; i < Math.min(count, done + batch); i++) {
                connecting.add(BenchClients.connectAsync(vertx, BenchClients.newContext(vertx), url, webSocket));
            }
            Future.all(connecting).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            connecting.forEach(f -> clients.add(f.result()));
        }
        return new Result(clients.size(), Duration.ofNanos(System.nanoTime() - start), clients);
    }
}
