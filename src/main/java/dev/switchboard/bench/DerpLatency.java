package dev.switchboard.bench;

import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.DerpMessage;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * Idle round trips: A sends a packet to B, B echoes it, A times the loop; one packet in flight at a time. The loop
 * runs on A's event loop (the next packet leaves from the echo's handler), so no thread hand-off is measured.
 */
public final class DerpLatency {
    private DerpLatency() {
    }

    public static LatencyStats run(Vertx vertx, URI url, boolean webSocket, int count, int packetBytes, int warmup)
            throws Exception {
        // One loop for both ends: the echo and the next send then need no thread hand-off in the tool.
        Context loop = BenchClients.newContext(vertx);
        DerpClient a = BenchClients.connect(vertx, loop, url, webSocket);
        DerpClient b = BenchClients.connect(vertx, loop, url, webSocket);
        b.messageHandler(m -> {
            if (m instanceof DerpMessage.ReceivedPacket p) {
                b.send(p.source(), p.data());
            }
        });
        long[] samples = new long[count];
        Buffer payload = Buffer.buffer(new byte[Math.max(8, packetBytes)]);
        Promise<Void> done = Promise.promise();
        a.context().runOnContext(v -> {
            long[] state = {-warmup, 0}; // round number, send time
            a.messageHandler(m -> {
                if (!(m instanceof DerpMessage.ReceivedPacket)) {
                    return;
                }
                long now = System.nanoTime();
                if (state[0] >= 0) {
                    samples[(int) state[0]] = now - state[1];
                }
                if (++state[0] == count) {
                    done.complete();
                    return;
                }
                state[1] = System.nanoTime();
                a.send(b.publicKey(), payload);
            });
            state[1] = System.nanoTime();
            a.send(b.publicKey(), payload);
        });
        done.future().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        a.close();
        b.close();
        return LatencyStats.of(samples);
    }
}
