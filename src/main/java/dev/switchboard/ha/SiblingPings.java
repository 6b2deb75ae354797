package dev.switchboard.ha;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Coder's replica peer check ({@code enterprise/replicasync/replicasync.go pingReplica}): {@code GET <relay
 * URL>/derp/latency-check} to every mesh peer, 3 s each, all at once. What fails becomes the replica's {@code error}
 * ("Failed to dial peers: ping sibling replica <host> (<url>): <reason>"), written on its next heartbeat, so an
 * operator sees from any replica which relay cannot reach which.
 */
final class SiblingPings {
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final HttpClient http;

    SiblingPings(Vertx vertx) {
        // No pooling: one request per peer every 5 s, and a stale kept-alive socket would hide a dead peer.
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)
                .setConnectTimeout((int) TIMEOUT.toMillis()));
    }

    /** Completes (never fails) with the error text for the peers that did not answer 200, or "" if all did. */
    Future<String> ping(List<Replica> peers) {
        List<Future<String>> results = new ArrayList<>();
        for (Replica peer : peers) {
            results.add(ping(peer).map(v -> "").otherwise(e -> "ping sibling replica " + peer.hostname() + " ("
                    + peer.relayUrl() + "): " + Objects.toString(e.getMessage(), e.getClass().getSimpleName())));
        }
        return Future.join(results).transform(done -> {
            List<String> failed = results.stream().map(Future::result).filter(s -> !s.isEmpty()).toList();
            return Future.succeededFuture(failed.isEmpty() ? "" : "Failed to dial peers: " + String.join(", ", failed));
        });
    }

    private Future<Void> ping(Replica peer) {
        URI url;
        try {
            url = URI.create(peer.relayUrl().strip()).resolve("/derp/latency-check");
        } catch (IllegalArgumentException e) {
            return Future.failedFuture("invalid relay URL");
        }
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url.toString())
                .setTimeout(TIMEOUT.toMillis());
        return http.request(request).compose(r -> r.send()).compose(response -> {
            response.end(); // the body is not needed; draining it lets the connection close cleanly
            return response.statusCode() == 200 ? Future.succeededFuture()
                    : Future.failedFuture("status " + response.statusCode());
        });
    }

    Future<Void> close() {
        return http.close();
    }
}
