package dev.switchboard.http;

import dev.switchboard.config.PublicListener;
import dev.switchboard.config.SwitchboardConfig;
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
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * CODER_HTTP_READ_HEADER_TIMEOUT on the public listeners: a connection must deliver a complete request head within
 * the deadline of being accepted, and a kept-alive one the next head within the idle timeout plus the deadline of
 * its last response; otherwise it is closed and counted in {@code switchboard_http_head_timeouts_total}. Upgraded
 * connections (DERP, WebSocket) and HTTP/2 are left to their own keepalives and the idle timeout once their first
 * head is in.
 *
 * <p>The per-connection handler is installed through the listener's accept path, which is reachable from any
 * connection; the first one is this process's own request right after each listener starts.
 */
@ApplicationScoped
public class RequestHeadDeadline {
    private static final Logger LOG = Logger.getLogger(RequestHeadDeadline.class);
    private static final String ACCEPT_HOOK = "switchboard-head-deadline";
    /** Before the relay's and every other route: the head is what is being timed. */
    private static final int FIRST = Integer.MIN_VALUE;

    private final long timeoutNanos;
    private final long nextHeadNanos;
    private final LongAdder timeouts;
    private final Vertx vertx;
    private final PublicListener listener;

    public RequestHeadDeadline(SwitchboardConfig config, MeterRegistry registry, Vertx vertx, PublicListener listener,
                               @ConfigProperty(name = "quarkus.http.idle-timeout") Duration idleTimeout) {
        this.timeoutNanos = config.httpReadHeaderTimeout().toNanos();
        this.nextHeadNanos = idleTimeout.toNanos() + timeoutNanos;
        this.timeouts = HotPathCounter.register(registry, "switchboard.http.head.timeouts", null,
                "Connections closed for not sending a complete request head in time");
        this.vertx = vertx;
        this.listener = listener;
    }

    void install(@Observes Router router) {
        router.route().order(FIRST).handler(this::headArrived);
    }

    private void headArrived(RoutingContext rc) {
        Channel channel = VertxInternals.channel(rc.request().connection());
        VertxInternals.onAccept(channel, ACCEPT_HOOK, child -> child.pipeline().addFirst(
                new HeadDeadlineHandler(timeoutNanos, timeouts)));
        HeadDeadlineHandler.headSeen(channel);
        boolean keptAlive = rc.request().version() != HttpVersion.HTTP_2 && rc.request().getHeader("Upgrade") == null;
        if (keptAlive) {
            rc.addEndHandler(done -> HeadDeadlineHandler.rearm(channel, nextHeadNanos));
        }
        rc.next();
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
