package dev.switchboard.warmup;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.server.DerpServer;
import dev.switchboard.vertx.VertxInternals;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.net.URI;
import java.util.concurrent.atomic.LongAdder;

/**
 * The warm-up's connection churn: one client after another connects (every fourth over WebSocket), sends a few
 * packets to a steady receiver and one to a key nobody holds, and closes. Without it the relay was compiled for six
 * clients that never change, and what every new client does first (a fast-start read, a first destination, a
 * packet to nobody, a peer gone) took branches the JIT had never seen: each client after the warm-up deoptimized
 * the read and send paths (-Xlog:deoptimization: unstable_if and class_check traps in ClientSession.processFrames,
 * ClientFrameHandler.handleSendPacket, the upgraded socket's handler), which ran interpreted until C2 compiled them
 * again, in the first paced window after readiness. It also compiles the handshake (the key exchange of ClientInfo).
 *
 * <p>All state is confined to one event-loop context; the counter is read from the warm-up's timer. A client that
 * cannot connect (a per-IP limit the steady pairs fill, say) ends the churn, not the warm-up.
 */
final class WarmupChurn {
    /** One connection at a time, at most this often: ≤ 20 handshakes/s beside the steady pairs' load. */
    private static final long INTERVAL_MILLIS = 50;
    private static final int PACKETS_PER_CLIENT = 8;
    private static final int WEBSOCKET_EVERY = 4;

    private final Vertx vertx;
    private final DerpServer relay;
    private final URI derpUrl;
    private final NodeKey receiver;
    private final NodeKey nobody = NodePrivateKey.generate().publicKey();
    private final Buffer payload;
    private final Context loop;
    private final LongAdder closed = new LongAdder();
    private final Promise<Void> stopped = Promise.promise();
    private boolean stopping; // on loop
    private boolean connecting; // on loop: a client is connected or connecting; stop() waits for it
    private long attempts; // on loop

    WarmupChurn(Vertx vertx, DerpServer relay, URI derpUrl, NodeKey receiver, Buffer payload) {
        this.vertx = vertx;
        this.relay = relay;
        this.derpUrl = derpUrl;
        this.receiver = receiver;
        this.payload = payload;
        this.loop = VertxInternals.newEventLoopContext(vertx);
    }

    void start() {
        loop.runOnContext(v -> next());
    }

    /** Connections opened, used and closed so far. */
    long connections() {
        return closed.sum();
    }

    /** Completes once the client in flight, if any, is closed. */
    Future<Void> stop() {
        loop.runOnContext(v -> {
            stopping = true;
            if (!connecting) {
                stopped.tryComplete();
            }
        });
        return stopped.future();
    }

    private void next() {
        if (stopping) {
            stopped.tryComplete();
            return;
        }
        connecting = true;
        boolean webSocket = attempts++ % WEBSOCKET_EVERY == WEBSOCKET_EVERY - 1;
        long begun = System.nanoTime();
        WarmupTraffic.connectOwn(vertx, relay, loop, derpUrl, webSocket).onComplete(connected -> {
            if (connected.failed()) {
                connecting = false;
                stopping = true;
                stopped.tryComplete();
                return;
            }
            DerpClient client = connected.result();
            for (int i = 0; i < PACKETS_PER_CLIENT; i++) {
                client.send(receiver, payload);
            }
            client.send(nobody, payload);
            client.close().onComplete(done -> {
                relay.forgetOwnClient(client.publicKey());
                closed.increment();
                connecting = false;
                long waitMillis = INTERVAL_MILLIS - (System.nanoTime() - begun) / 1_000_000;
                if (waitMillis > 0) {
                    vertx.setTimer(waitMillis, id -> next());
                } else {
                    next();
                }
            });
        });
    }
}
