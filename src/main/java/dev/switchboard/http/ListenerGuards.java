package dev.switchboard.http;

import dev.switchboard.config.PublicListener;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.logging.RateLimitedLog;
import dev.switchboard.metrics.HotPathCounter;
import dev.switchboard.vertx.VertxInternals;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.HttpsServerStart;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import org.jboss.logging.Logger;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every connection the public listeners accept goes through, before Vert.x sees it:
 * <ul>
 * <li>CODER_HTTP_ACCEPT_RATE_PER_IP (off by default): a source over its connection rate is closed at once, before
 * a byte is read, and counted in {@code switchboard_http_accept_refused_total}.</li>
 * <li>CODER_HTTP_READ_HEADER_TIMEOUT: a connection must deliver a complete request head within the deadline of
 * being accepted, and a kept-alive one the next head within the idle timeout plus the deadline of its last response;
 * otherwise it is closed and counted in {@code switchboard_http_head_timeouts_total}. Upgraded connections (DERP,
 * WebSocket) and HTTP/2 are left to their own keepalives and the idle timeout once their first head is in.</li>
 * </ul>
 *
 * <p>Both ride the listener's accept path, which is reachable from any connection; the first one is this process's
 * own request right after each listener starts.
 */
@ApplicationScoped
public class ListenerGuards {
    private static final Logger LOG = Logger.getLogger(ListenerGuards.class);
    private static final String ACCEPT_HOOK = "switchboard-listener-guards";
    /** Sources whose accept budget is remembered at once (~100 bytes each). */
    static final int MAX_TRACKED_SOURCES = 65_536;
    /** Before the relay's and every other route: the head is what is being timed. */
    private static final int FIRST = Integer.MIN_VALUE;

    private final long timeoutNanos;
    private final long nextHeadNanos;
    private final LongAdder timeouts;
    private final LongAdder refused;
    private final AcceptRatePerIp acceptRate; // null: no limit
    private final RateLimitedLog refusedLog = new RateLimitedLog(LOG::info, System::nanoTime, Duration.ofSeconds(10),
            10, "connections refused over CODER_HTTP_ACCEPT_RATE_PER_IP");
    private final Vertx vertx;
    private final PublicListener listener;

    public ListenerGuards(SwitchboardConfig config, MeterRegistry registry, Vertx vertx, PublicListener listener) {
        this.timeoutNanos = config.httpReadHeaderTimeout().toNanos();
        this.nextHeadNanos = listener.idleTimeout().toNanos() + timeoutNanos;
        this.timeouts = HotPathCounter.register(registry, "switchboard.http.head.timeouts", null,
                "Connections closed for not sending a complete request head in time");
        this.refused = HotPathCounter.register(registry, "switchboard.http.accept.refused", null,
                "Connections closed on accept because their source was over CODER_HTTP_ACCEPT_RATE_PER_IP");
        this.acceptRate = config.httpAcceptRatePerIp() == 0 ? null : new AcceptRatePerIp(config.httpAcceptRatePerIp(),
                config.httpAcceptBurstPerIp(), MAX_TRACKED_SOURCES, System::nanoTime);
        this.vertx = vertx;
        this.listener = listener;
    }

    void install(@Observes Router router) {
        router.route().order(FIRST).handler(this::headArrived);
    }

    private void headArrived(RoutingContext rc) {
        Channel channel = VertxInternals.channel(rc.request().connection());
        VertxInternals.onAccept(channel, ACCEPT_HOOK, this::accepted);
        HeadDeadlineHandler.headSeen(channel);
        boolean keptAlive = rc.request().version() != HttpVersion.HTTP_2 && rc.request().getHeader("Upgrade") == null;
        if (keptAlive) {
            rc.addEndHandler(done -> HeadDeadlineHandler.rearm(channel, nextHeadNanos));
        }
        rc.next();
    }

    /** False closes the connection before Vert.x sees it: nothing read, nothing written. */
    private boolean accepted(Channel child) {
        if (acceptRate != null && child.remoteAddress() instanceof InetSocketAddress source
                && !acceptRate.admit(source.getAddress())) {
            refused.increment();
            refusedLog.log("refused a connection from %s: over its accept rate", source.getAddress().getHostAddress());
            return false;
        }
        child.pipeline().addFirst(new HeadDeadlineHandler(timeoutNanos, timeouts));
        return true;
    }

    void httpStarted(@ObservesAsync HttpServerStart event) {
        touch(event.options().getPort(), false);
    }

    void httpsStarted(@ObservesAsync HttpsServerStart event) {
        touch(event.options().getPort(), true);
    }

    /** One request of our own, so the listener's accept hook is in place before any client connects. */
    private void touch(int port, boolean tls) {
        if (port <= 0) {
            return; // an ephemeral port (tests): the first client's request installs the hook
        }
        var client = vertx.createHttpClient(new HttpClientOptions().setSsl(tls).setTrustAll(tls).setVerifyHost(false));
        client.request(HttpMethod.GET, port, listener.loopbackHost(), "/healthz")
                .compose(request -> request.send().compose(response -> response.body()))
                .onComplete(done -> {
                    if (done.failed()) {
                        LOG.debugf("request-head deadline: self-request on port %d failed: %s", port,
                                done.cause().getMessage());
                    }
                    client.close();
                });
    }
}
