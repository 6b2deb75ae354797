package dev.switchboard.tailnet.netcheck;

import dev.switchboard.stun.StunCodec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Outstanding STUN Binding transactions of one prober, matched by transaction ID (RFC 5389 §6: the ID is random and
 * the response echoes it). Requests go out through a {@link StunSender}; whoever owns the socket hands received
 * datagrams to {@link #receive}, so the probing runs over someone else's UDP socket as well as over its own.
 *
 * <p>Bounded: at most {@code maxInFlight} transactions are outstanding; each one is forgotten when answered, timed
 * out or failed to send. {@link #start} must be called on {@code context}; every future completes there.
 */
public final class StunTransactions {
    /** A Binding success that matched one of our requests. */
    public record Response(InetSocketAddress mapped, InetSocketAddress source, Duration rtt) {
    }

    /** One request: {@code sent} completes when the datagram left (or failed to), {@code response} on the answer. */
    public record Transaction(Future<Void> sent, Future<Response> response) {
    }

    private record Pending(Promise<Response> promise, long sentNanos, long timer) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    // Immutable.
    private final Vertx vertx;
    private final Context context;
    private final StunSender sender;
    private final int maxInFlight;

    /** Guarded by itself: {@link #receive} runs on the socket owner's thread, everything else on {@code context}. */
    private final Map<String, Pending> inFlight = new HashMap<>();

    public StunTransactions(Vertx vertx, Context context, StunSender sender, int maxInFlight) {
        this.vertx = vertx;
        this.context = context;
        this.sender = sender;
        this.maxInFlight = maxInFlight;
    }

    public Context context() {
        return context;
    }

    /** Sends a Tailscale Binding request to {@code target}; the response fails after {@code timeout}. */
    public Transaction start(InetSocketAddress target, Duration timeout) {
        byte[] transactionId = new byte[StunCodec.TRANSACTION_ID_LEN];
        RANDOM.nextBytes(transactionId);
        String key = HexFormat.of().formatHex(transactionId);
        Promise<Response> promise = Promise.promise();
        synchronized (inFlight) {
            if (inFlight.size() >= maxInFlight) {
                Future<Void> refused = Future.failedFuture("too many STUN transactions in flight (" + maxInFlight + ")");
                return new Transaction(refused, refused.map(v -> null));
            }
            long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
                if (forget(key) != null) {
                    promise.tryFail("no STUN response from " + target + " within " + timeout.toMillis() + " ms");
                }
            });
            inFlight.put(key, new Pending(promise, System.nanoTime(), timer));
        }
        Future<Void> sent = sender.send(StunCodec.tailscaleRequest(transactionId), target);
        sent.onFailure(e -> {
            Pending pending = forget(key);
            if (pending != null) {
                vertx.cancelTimer(pending.timer());
                promise.tryFail(e);
            }
        });
        return new Transaction(sent, promise.future());
    }

    /**
     * Feeds a received datagram from {@code source}; any thread. Returns whether it answered one of our requests
     * (a socket owner may then drop it; anything else is not ours).
     */
    public boolean receive(Buffer datagram, InetSocketAddress source) {
        long now = System.nanoTime();
        StunCodec.BindingResponse response = StunCodec.parseResponse(datagram);
        if (response == null) {
            return false;
        }
        Pending pending = forget(HexFormat.of().formatHex(response.transactionId()));
        if (pending == null) {
            return false;
        }
        Response result = new Response(response.mapped(), source, Duration.ofNanos(now - pending.sentNanos()));
        context.runOnContext(v -> {
            vertx.cancelTimer(pending.timer());
            pending.promise().tryComplete(result);
        });
        return true;
    }

    /** Transactions awaiting a response. */
    public int inFlight() {
        synchronized (inFlight) {
            return inFlight.size();
        }
    }

    private Pending forget(String key) {
        synchronized (inFlight) {
            return inFlight.remove(key);
        }
    }
}
