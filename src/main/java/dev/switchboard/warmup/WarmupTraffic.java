package dev.switchboard.warmup;

import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.derp.client.DerpMessage;
import dev.switchboard.derp.server.DerpServer;
import dev.switchboard.stun.StunCodec;
import dev.switchboard.vertx.VertxInternals;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * The warm-up's load: DERP client pairs of this process on the relay's own listener over loopback (raw upgrades and
 * one WebSocket pair), each sender paced by a 1 ms timer with a burst now and then so that queueing, flush
 * coalescing and sender backpressure run too, clients that come and go ({@link WarmupChurn}), and Binding requests
 * to the STUN sockets. The relay treats them as any client: the same accept, handshake, routing and write paths,
 * which is what the JIT has to compile.
 *
 * <p>Each pair lives on an event-loop context of its own (the loops taken in turn); a sender's state is confined
 * to its context. The counters are read from the warm-up's timer.
 */
final class WarmupTraffic {
    static final int RAW_PAIRS = 2;
    static final int WEBSOCKET_PAIRS = 1;
    /** Per sender and 1 ms tick: 4000 packets/s of 1200 bytes, 4 × 4000 × 1200 B = 38 Mbit/s per sender. */
    static final int PACKETS_PER_TICK = 4;
    static final int PACKET_BYTES = 1200;
    /** Every 50th tick a sender writes 64 packets at once: more than one read's worth reaches the relay. */
    static final int BURST_EVERY_TICKS = 50;
    static final int BURST_PACKETS = 64;
    /** Between the last packet sent and the first client closed: loopback delivers a burst in well under this. */
    static final long DRAIN_MILLIS = 100;

    private final Vertx vertx;
    private final DerpServer relay;
    // Added from the pairs' contexts as they connect.
    private final List<Sender> senders = new CopyOnWriteArrayList<>();
    private final List<DerpClient> clients = new CopyOnWriteArrayList<>();
    private final LongAdder relayed = new LongAdder();
    private final LongAdder stunAnswers = new LongAdder();
    private final Buffer payload = Buffer.buffer(new byte[PACKET_BYTES]);
    private WarmupChurn churn; // set once the pairs are connected
    private DatagramSocket stun; // null without STUN targets
    private Context stunContext;
    private long stunTimer = -1; // on stunContext

    private WarmupTraffic(Vertx vertx, DerpServer relay) {
        this.vertx = vertx;
        this.relay = relay;
    }

    /** Connects every pair (the future fails if one cannot) and starts sending. */
    static Future<WarmupTraffic> start(Vertx vertx, DerpServer relay, URI derpUrl,
                                       List<InetSocketAddress> stunTargets) {
        WarmupTraffic traffic = new WarmupTraffic(vertx, relay);
        List<Future<Void>> pairs = new ArrayList<>();
        for (int i = 0; i < RAW_PAIRS + WEBSOCKET_PAIRS; i++) {
            pairs.add(traffic.connectPair(derpUrl, i >= RAW_PAIRS));
        }
        // join, not all: on a failure every pair has finished connecting, so stop() closes each client that did.
        return Future.join(pairs).map(all -> {
            traffic.senders.forEach(Sender::start);
            traffic.churn = new WarmupChurn(vertx, relay, derpUrl, traffic.senders.get(0).to.publicKey(),
                    traffic.payload);
            traffic.churn.start();
            traffic.startStun(stunTargets);
            return traffic;
        }).onFailure(failed -> traffic.stop());
    }

    private Future<Void> connectPair(URI derpUrl, boolean webSocket) {
        Context context = VertxInternals.newEventLoopContext(vertx);
        Future<DerpClient> from = connect(context, derpUrl, webSocket);
        Future<DerpClient> to = connect(context, derpUrl, webSocket);
        return Future.all(from, to).map(both -> {
            DerpClient receiver = to.result();
            receiver.messageHandler(message -> {
                if (message instanceof DerpMessage.ReceivedPacket) {
                    relayed.increment();
                }
            });
            senders.add(new Sender(context, from.result(), receiver));
            return null;
        });
    }

    private Future<DerpClient> connect(Context context, URI derpUrl, boolean webSocket) {
        return connectOwn(vertx, relay, context, derpUrl, webSocket).onSuccess(clients::add);
    }

    /**
     * A client of this process with a fresh key that {@code CODER_DERP_SERVER_VERIFY_CLIENTS} lets through until it
     * fails to connect or its owner forgets it ({@link DerpServer#forgetOwnClient}) once it is closed.
     */
    static Future<DerpClient> connectOwn(Vertx vertx, DerpServer relay, Context context, URI derpUrl,
                                         boolean webSocket) {
        // Our own listener on loopback: the certificate names the public host, not 127.0.0.1.
        NodePrivateKey key = NodePrivateKey.generate();
        relay.admitOwnClient(key.publicKey());
        DerpClientOptions options = DerpClientOptions.of(derpUrl, key).withWebSocket(webSocket).withTrustAll(true);
        return DerpClient.connect(vertx, context, options)
                .onFailure(failed -> relay.forgetOwnClient(key.publicKey()));
    }

    private void startStun(List<InetSocketAddress> all) {
        if (all.isEmpty()) {
            return;
        }
        // One socket, one family: the responder's path is the same for both, and a send across families would fail.
        boolean ipv6 = all.get(0).getAddress() instanceof Inet6Address;
        List<InetSocketAddress> targets = all.stream()
                .filter(target -> target.getAddress() instanceof Inet6Address == ipv6).toList();
        stunContext = VertxInternals.newEventLoopContext(vertx);
        stunContext.runOnContext(v -> {
            stun = vertx.createDatagramSocket(new DatagramSocketOptions().setIpV6(ipv6));
            stun.handler(packet -> {
                if (StunCodec.parseResponse(packet.data()) != null) {
                    stunAnswers.increment();
                }
            });
            byte[] transaction = new byte[StunCodec.TRANSACTION_ID_LEN];
            stunTimer = vertx.setPeriodic(1, id -> {
                ThreadLocalRandom.current().nextBytes(transaction);
                Buffer request = StunCodec.tailscaleRequest(transaction);
                for (InetSocketAddress target : targets) {
                    stun.send(request, target.getPort(), target.getHostString());
                }
            });
        });
    }

    long relayedPackets() {
        return relayed.sum();
    }

    long stunAnswers() {
        return stunAnswers.sum();
    }

    long churnedConnections() {
        return churn == null ? 0 : churn.connections();
    }

    /**
     * Stops the senders and the churn, lets the relay deliver what is in flight, then closes every client and the
     * STUN socket; completes when all are closed. Closed at once, receivers left the relay writing into closing
     * channels with full queues: branches its hot write path (ClientSession.flush, the send queue's wake-up) had
     * never taken, deoptimized just before readiness turned UP.
     */
    Future<Void> stop() {
        senders.forEach(Sender::stop);
        Future<Void> churned = churn == null ? Future.succeededFuture() : churn.stop();
        return churned.compose(v -> Future.<Void>future(quiet -> vertx.setTimer(DRAIN_MILLIS, id -> quiet.complete())))
                .compose(v -> closeAll());
    }

    private Future<Void> closeAll() {
        List<Future<Void>> closing = new ArrayList<>();
        clients.forEach(client -> closing.add(client.close().onComplete(closed ->
                relay.forgetOwnClient(client.publicKey()))));
        if (stunContext != null) {
            closing.add(Future.future(done -> stunContext.runOnContext(v -> {
                vertx.cancelTimer(stunTimer);
                stun.close().onComplete(done);
            })));
        }
        return Future.join(closing).mapEmpty();
    }

    /** One sender: a 1 ms timer on its pair's context. */
    private final class Sender {
        private final Context context;
        private final DerpClient from;
        private final DerpClient to;
        private long timer = -1; // on context
        private long ticks; // on context

        Sender(Context context, DerpClient from, DerpClient to) {
            this.context = context;
            this.from = from;
            this.to = to;
        }

        void start() {
            context.runOnContext(v -> timer = vertx.setPeriodic(1, id -> tick()));
        }

        private void tick() {
            int packets = ++ticks % BURST_EVERY_TICKS == 0 ? BURST_PACKETS : PACKETS_PER_TICK;
            for (int i = 0; i < packets && !from.writeQueueFull(); i++) {
                from.send(to.publicKey(), payload);
            }
        }

        void stop() {
            context.runOnContext(v -> vertx.cancelTimer(timer));
        }
    }
}
