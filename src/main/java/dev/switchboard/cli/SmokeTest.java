package dev.switchboard.cli;

import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.derp.client.DerpMessage;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code server --smoke-test}'s relay check: two DERP clients on this server's own {@code /derp}; A sends numbered
 * packets to B one at a time and B echoes each back. Uses the DERP client directly, so the server needs none of the
 * bench tools.
 */
final class SmokeTest {
    /** A WireGuard-sized packet, so the run exercises (and the AOT cache learns) the real relay path. */
    private static final int PACKET_BYTES = 1200;
    private static final long WAIT_SECONDS = 15;
    /** As often as {@code bench cold-start} polls readiness. */
    private static final long PROBE_INTERVAL_MILLIS = 50;

    private SmokeTest() {
    }

    /**
     * Relays {@code roundTrips} packets through {@code url} and back.
     *
     * @return the round-trip latency summary
     * @throws Exception if a client cannot connect or a packet is not echoed intact in time
     */
    static String run(Vertx vertx, URI url, int roundTrips) throws Exception {
        DerpClient a = connect(vertx, url);
        DerpClient b = connect(vertx, url);
        try {
            b.messageHandler(m -> {
                if (m instanceof DerpMessage.ReceivedPacket packet) {
                    b.send(packet.source(), packet.data());
                }
            });
            BlockingQueue<Buffer> echoes = new LinkedBlockingQueue<>();
            a.messageHandler(m -> {
                if (m instanceof DerpMessage.ReceivedPacket packet) {
                    echoes.add(packet.data());
                }
            });
            long[] nanos = new long[roundTrips];
            for (int i = 0; i < roundTrips; i++) {
                Buffer packet = Buffer.buffer(PACKET_BYTES).appendInt(i).appendBytes(new byte[PACKET_BYTES - 4]);
                long start = System.nanoTime();
                a.send(b.publicKey(), packet);
                Buffer echo = echoes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
                if (echo == null) {
                    throw new TimeoutException("round trip " + i + " not echoed within " + WAIT_SECONDS + " s");
                }
                if (!echo.equals(packet)) {
                    throw new IllegalStateException("round trip " + i + " came back altered");
                }
                nanos[i] = System.nanoTime() - start;
            }
            Arrays.sort(nanos);
            return String.format(Locale.ROOT, "p50 %.3f ms, p99 %.3f ms", percentile(nanos, 0.50) / 1e6,
                    percentile(nanos, 0.99) / 1e6);
        } finally {
            a.close();
            b.close();
        }
    }

    /**
     * Asks {@code healthz} once and polls {@code ready} until it answers 200, as a kubelet would, so that the training
     * run of the AOT cache loads the probe paths too (the first readiness probe of an untrained server took ~150 ms).
     *
     * @throws Exception if {@code healthz} does not answer 200 or {@code ready} does not within 15 s
     */
    static void probe(Vertx vertx, URI healthz, URI ready) throws Exception {
        HttpClient http = vertx.createHttpClient();
        try {
            int status = status(http, healthz);
            if (status != 200) {
                throw new IllegalStateException(healthz + " answered " + status);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while ((status = status(http, ready)) != 200) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException(ready + " still " + status + " after " + WAIT_SECONDS + " s");
                }
                Thread.sleep(PROBE_INTERVAL_MILLIS);
            }
        } finally {
            http.close();
        }
    }

    private static int status(HttpClient http, URI url) throws Exception {
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url.toString());
        return http.request(request)
                .compose(r -> r.send().compose(response -> response.body().map(body -> response.statusCode())))
                .toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Trusts any certificate: the peer is this very process on loopback, possibly with a self-signed one. */
    private static DerpClient connect(Vertx vertx, URI url) throws Exception {
        return DerpClient.connect(vertx, DerpClientOptions.of(url, NodePrivateKey.generate()).withTrustAll(true))
                .toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static long percentile(long[] sorted, double quantile) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)];
    }
}
