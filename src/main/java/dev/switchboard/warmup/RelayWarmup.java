package dev.switchboard.warmup;

import dev.switchboard.config.ConfigOptions;
import dev.switchboard.config.HostPort;
import dev.switchboard.config.PublicListener;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.derp.server.DerpServer;
import dev.switchboard.stun.StunLifecycle;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.HttpsServerStart;
import io.netty.util.NetUtil;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * CODER_DERP_SERVER_WARMUP: before readiness turns UP, the relay carries loopback traffic of its own
 * ({@link WarmupTraffic}) until the JIT has compiled its hot paths ({@link JitSettle}) or the limit is reached.
 * A JVM that has just started runs the relay interpreted and then half-compiled: measured on 2 cores, the first
 * second of a 20,000 packets/s load had a p99 of 30–130 ms against ~1 ms warm, and C2 was still compiling the read
 * path 10 s in (bench/README.md, "bench cold-start"). Pods behind a readiness probe get their traffic after that.
 *
 * <p>It starts when the public listener is up (the clients dial it as any client would) and never blocks
 * readiness for good: a failure to connect (a per-IP limit of 1, say) ends it with the reason logged. SIGTERM
 * during the warm-up stops it first, so the drain does not wait for its clients.
 */
@ApplicationScoped
public class RelayWarmup {
    private static final Logger LOG = Logger.getLogger(RelayWarmup.class);
    private static final long SAMPLE_MILLIS = 250;

    /** How the warm-up stands: readiness waits for {@code DONE}. */
    public enum Phase { WAITING, RUNNING, DONE }

    /** What the readiness check reports once it is over. */
    public record Outcome(String reason, long millis, long relayedPackets, long stunAnswers, long churnedConnections,
                          long compiledMillis) {
    }

    private final Vertx vertx;
    private final Instance<DerpServer> relay;
    private final PublicListener listener;
    private final StunLifecycle stun;
    private final Duration limit;
    /** Set once, by the first listener start or by SIGTERM before it; the phase follows from it and {@link #over}. */
    private final AtomicBoolean begun = new AtomicBoolean();
    private final CompletableFuture<Outcome> over = new CompletableFuture<>();
    private volatile boolean stopRequested;

    public RelayWarmup(SwitchboardConfig config, Vertx vertx, Instance<DerpServer> relay, PublicListener listener,
                       StunLifecycle stun) {
        this.vertx = vertx;
        this.relay = relay;
        this.listener = listener;
        this.stun = stun;
        // Validated at start-up with every other CODER_* setting (ConfigOptions).
        this.limit = config.derp().server().enable()
                ? ConfigOptions.parseDuration(config.derp().server().warmup()) : Duration.ZERO;
        if (limit.isZero()) {
            over.complete(new Outcome("off", 0, 0, 0, 0, 0));
        }
    }

    void httpStarted(@ObservesAsync HttpServerStart event) {
        begin(event.options().getPort(), false);
    }

    void httpsStarted(@ObservesAsync HttpsServerStart event) {
        begin(event.options().getPort(), true);
    }

    /** Before the drain (GracefulShutdown) starts counting connections. */
    void stopping(@Observes @Priority(1) ShutdownDelayInitiatedEvent event) {
        stopRequested = true;
        if (begun.compareAndSet(false, true)) {
            over.complete(new Outcome("stopped before it began", 0, 0, 0, 0, 0));
        }
        try {
            if (awaitOutcome(Duration.ofSeconds(5)) == null) {
                LOG.debug("relay warm-up still closing its clients at shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Phase phase() {
        return over.isDone() ? Phase.DONE : begun.get() ? Phase.RUNNING : Phase.WAITING;
    }

    /** Null until the warm-up is over. */
    public Outcome outcome() {
        return over.getNow(null);
    }

    /** Waits for the warm-up to end (its limit, and 30 s to close); its outcome, or null if it has not ended. */
    public Outcome awaitOutcome() throws InterruptedException {
        return awaitOutcome(limit.plusSeconds(30));
    }

    private Outcome awaitOutcome(Duration timeout) throws InterruptedException {
        try {
            return over.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    private void begin(int port, boolean tls) {
        if (over.isDone() || !begun.compareAndSet(false, true)) {
            return;
        }
        URI url = URI.create((tls ? "https://" : "http://") + HostPort.urlHost(listener.loopbackHost()) + ":"
                + (port > 0 ? port : listener.boundPort()) + "/derp");
        List<InetSocketAddress> targets = stun.localAddresses().orElse(List.of()).stream()
                .map(RelayWarmup::reachable).toList();
        long started = System.nanoTime();
        LOG.infof("relay warm-up: loopback traffic through %s until the JIT settles, at most %s", url, limit);
        WarmupTraffic.start(vertx, relay.get(), url, targets).onComplete(connected -> {
            if (connected.failed()) {
                finish("could not connect: " + connected.cause().getMessage(), started, null, 0);
            } else {
                watch(connected.result(), started);
            }
        });
    }

    /** Samples the JIT every 250 ms on this context's timer; JitSettle is confined to it. */
    private void watch(WarmupTraffic running, long started) {
        JitSettle jit = JitSettle.ofThisJvm();
        vertx.setPeriodic(SAMPLE_MILLIS, timer -> {
            boolean settled = jit == null ? System.nanoTime() - started >= TimeUnit.SECONDS.toNanos(1) : jit.sample();
            boolean overdue = System.nanoTime() - started >= limit.toNanos();
            if (settled || overdue || stopRequested) {
                vertx.cancelTimer(timer);
                long compiled = jit == null ? 0 : jit.compiledMillis();
                String reason = stopRequested ? "stopped by shutdown" : settled ? "JIT settled"
                        : "reached CODER_DERP_SERVER_WARMUP";
                running.stop().onComplete(closed -> finish(reason, started, running, compiled));
            }
        });
    }

    private void finish(String reason, long started, WarmupTraffic finished, long compiledMillis) {
        Outcome done = finished == null ? new Outcome(reason, millisSince(started), 0, 0, 0, compiledMillis)
                : new Outcome(reason, millisSince(started), finished.relayedPackets(), finished.stunAnswers(),
                        finished.churnedConnections(), compiledMillis);
        over.complete(done);
        LOG.infof("relay warm-up over after %d ms (%s): %d packets relayed, %d STUN answers, %d connections churned, "
                + "%d ms of JIT compiling", done.millis(), reason, done.relayedPackets(), done.stunAnswers(),
                done.churnedConnections(), done.compiledMillis());
    }

    private static long millisSince(long started) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    /**
     * A wildcard STUN socket is reached on loopback, as the HTTP listener is (PublicListener.loopbackHost). Made
     * from the literal, so {@code getHostString()} hands the sender that string without building one per packet.
     */
    private static InetSocketAddress reachable(InetSocketAddress bound) {
        return new InetSocketAddress(PublicListener.loopbackHost(NetUtil.toAddressString(bound.getAddress())),
                bound.getPort());
    }
}
