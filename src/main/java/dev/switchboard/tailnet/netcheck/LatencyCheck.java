package dev.switchboard.tailnet.netcheck;

import dev.switchboard.derpmap.DerpNode;
import dev.switchboard.derpmap.DerpRegion;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.time.Duration;

/**
 * HTTP(S) latency of a region when UDP is blocked (Tailscale's measureHTTPSLatency, net/netcheck/netcheck.go
 * v1.36.2): {@code GET /derp/latency-check} on the region's first DERP node, timed from the request being written to
 * the response head, the way go-httpstat's ServerProcessing does, so the connect and TLS handshake are not counted.
 */
public final class LatencyCheck {
    /** What one measurement found: the latency and the address family the connection used. */
    public record Result(Duration latency, IpFamily family) {
    }

    private final Vertx vertx;

    public LatencyCheck(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Call on the prober's context; fails if the region has no DERP node or the node does not answer 200. */
    public Future<Result> measure(DerpRegion region, Duration timeout) {
        DerpNode node = region.nodes().stream().filter(n -> !n.stunOnly()).findFirst().orElse(null);
        if (node == null) {
            return Future.failedFuture("region " + region.regionId() + " has no DERP node");
        }
        URI url = DerpUrls.latencyCheck(node);
        boolean tls = url.getScheme().equals("https");
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setSsl(tls)
                .setTrustAll(node.insecureForTests()).setVerifyHost(!node.insecureForTests())
                .setConnectTimeout((int) timeout.toMillis()).setMaxPoolSize(1));
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost(url.getHost())
                .setPort(url.getPort() > 0 ? url.getPort() : tls ? 443 : 80).setURI(url.getRawPath())
                .setTimeout(timeout.toMillis());
        return client.request(request).compose(req -> {
            long start = System.nanoTime();
            String peer = req.connection().remoteAddress().hostAddress();
            return req.send().compose(response -> {
                Duration latency = Duration.ofNanos(System.nanoTime() - start);
                if (response.statusCode() != 200) {
                    return Future.failedFuture(url + ": HTTP " + response.statusCode());
                }
                IpFamily family = NodeAddresses.literal(peer).map(IpFamily::of).orElse(IpFamily.V4);
                return response.body().map(ignored -> new Result(latency, family));
            });
        }).eventually(() -> client.close());
    }
}
