package dev.switchboard.diagnostics;

import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.ServerInfo;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.CertName;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.derp.client.DerpMessage;
import dev.switchboard.derpmap.DerpNode;
import dev.switchboard.tailnet.netcheck.DerpUrls;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Coder's message-exchange test of one relay node (coder/coder coderd/healthcheck/derphealth/derp.go
 * doExchangeMessage): two DERP clients connect (up to five attempts each), the sender sends a 1-byte packet to the
 * receiver every second until one arrives; the time from the last send to its arrival is the round trip reported.
 * A refused {@code Upgrade: DERP} switches to WebSocket for the following attempts, as Coder's DERP client does.
 *
 * <p>One use per instance. Event-loop confined: {@link #run} is called on {@code context}, where the DERP clients'
 * callbacks and timers run too.
 */
final class MessageExchange {
    static final int CONNECT_ATTEMPTS = 5;
    static final Duration SEND_INTERVAL = Duration.ofSeconds(1);
    /** What Coder's fork logs when it falls back; its health check looks for exactly this sentence. */
    static final String WEBSOCKET_FALLBACK_LOG = "We'll use WebSockets on the next connection attempt. A proxy could be "
            + "disallowing the use of 'Upgrade: derp'.";
    private static final int RECEIVER = 0;
    private static final int SENDER = 1;

    private final Vertx vertx;
    private final Context context;
    private final DerpNode node;
    private final URI url;
    private final Duration budget;
    private final long deadlineNanos;
    private final Promise<DerpNodeReport.Exchange> result = Promise.promise();
    private final List<List<String>> logs = List.of(new ArrayList<>(), new ArrayList<>());
    private final List<List<String>> errs = List.of(new ArrayList<>(), new ArrayList<>());
    private final List<DerpClient> clients = new ArrayList<>();
    private boolean webSocket;
    private boolean fellBack;
    private long lastSentNanos;

    MessageExchange(Vertx vertx, Context context, DerpNode node, boolean forceWebsockets, Duration budget) {
        this.vertx = vertx;
        this.context = context;
        this.node = node;
        this.url = DerpUrls.derp(node);
        this.webSocket = forceWebsockets;
        this.budget = budget;
        this.deadlineNanos = System.nanoTime() + budget.toNanos();
    }

    /** Never fails: what went wrong is in the exchange's client errors. */
    Future<DerpNodeReport.Exchange> run() {
        long deadline = vertx.setTimer(Math.max(1, remaining().toMillis()), id -> {
            errs.get(SENDER).add("no packet arrived within " + GoDuration.format(budget));
            finish(null);
        });
        connect(RECEIVER, 1).compose(receiver -> connect(SENDER, 1).map(sender -> {
            receiver.messageHandler(message -> {
                if (message instanceof DerpMessage.ReceivedPacket packet && packet.source().equals(sender.publicKey())) {
                    finish(Duration.ofNanos(System.nanoTime() - lastSentNanos));
                }
            });
            sendEverySecond(sender, receiver, 0);
            return sender;
        })).onFailure(e -> finish(null));
        result.future().onComplete(r -> vertx.cancelTimer(deadline));
        return result.future();
    }

    private void sendEverySecond(DerpClient sender, DerpClient receiver, int iteration) {
        if (result.future().isComplete()) {
            return;
        }
        lastSentNanos = System.nanoTime();
        sender.send(receiver.publicKey(), Buffer.buffer(new byte[]{(byte) iteration}));
        vertx.setTimer(SEND_INTERVAL.toMillis(), id -> sendEverySecond(sender, receiver, iteration + 1));
    }

    private Future<DerpClient> connect(int client, int attempt) {
        Duration left = remaining();
        if (left.isNegative() || left.isZero()) {
            return Future.failedFuture("out of time");
        }
        DerpClientOptions options = new DerpClientOptions(url, NodePrivateKey.generate(), Optional.empty(), webSocket,
                Optional.empty(), node.insecureForTests(), left, Optional.empty(), Optional.empty(),
                CertName.forNode(node.certName(), node.hostName()));
        logs.get(client).add("connecting to " + url + (webSocket ? " over WebSocket" : ""));
        return DerpClient.connect(vertx, context, options).onSuccess(c -> {
            if (result.future().isComplete()) {
                c.close(); // connected after the deadline: nobody will use it
                return;
            }
            clients.add(c);
            logs.get(client).add("connected to " + url);
        }).recover(e -> {
            errs.get(client).add("connect to derp: " + e.getMessage());
            if (!webSocket && String.valueOf(e.getMessage()).startsWith("DERP upgrade refused")) {
                logs.get(client).add(WEBSOCKET_FALLBACK_LOG);
                webSocket = true;
                fellBack = true;
            }
            if (attempt >= CONNECT_ATTEMPTS) {
                errs.get(client).add("couldn't connect after " + CONNECT_ATTEMPTS + " tries, last error: "
                        + e.getMessage());
                return Future.failedFuture(e);
            }
            return connect(client, attempt + 1);
        });
    }

    private void finish(Duration roundTrip) {
        if (result.future().isComplete()) {
            return;
        }
        ServerInfo info = clients.isEmpty() ? null : clients.get(0).serverInfo();
        DerpNodeReport.NodeInfo nodeInfo = info == null ? DerpNodeReport.NodeInfo.NONE
                : new DerpNodeReport.NodeInfo(info.tokenBucketBytesPerSecond(), info.tokenBucketBytesBurst());
        clients.forEach(DerpClient::close);
        result.complete(new DerpNodeReport.Exchange(nodeInfo, roundTrip, webSocket, fellBack,
                logs.stream().map(List::copyOf).toList(), errs.stream().map(List::copyOf).toList()));
    }

    private Duration remaining() {
        return Duration.ofNanos(deadlineNanos - System.nanoTime());
    }
}
