package dev.switchboard.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code switchboard_http_requests_total{status="2xx"…}} and {@code switchboard_http_request_seconds} for the public
 * listeners. Quarkus' own http-server binder stays off: it tags by URI template and hooks Vert.x's metrics SPI,
 * which the DERP takeover leaves mid-request. Status classes keep the series fixed (six); upgrades count as 1xx
 * when the switch is answered, and DERP's takeover, which never ends a response, is not timed.
 */
@ApplicationScoped
public class HttpRequestMetrics {
    /** Right after the request-head deadline's route, before every feature's. */
    private static final int EARLY = Integer.MIN_VALUE + 1;
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private final Counter[] byClass = new Counter[CLASSES.length];
    private final Timer duration;

    public HttpRequestMetrics(MeterRegistry registry) {
        for (int i = 0; i < CLASSES.length; i++) {
            byClass[i] = Counter.builder("switchboard.http.requests").tag("status", CLASSES[i])
                    .description("HTTP requests answered on the public listeners, by status class").register(registry);
        }
        duration = Timer.builder("switchboard.http.request").description("Time from request head to response end")
                .register(registry);
    }

    void install(@Observes Router router) {
        router.route().order(EARLY).handler(this::observe);
    }

    private void observe(RoutingContext rc) {
        long start = System.nanoTime();
        rc.addEndHandler(done -> {
            int status = rc.response().getStatusCode();
            int index = status / 100 - 1;
            if (index >= 0 && index < byClass.length) {
                byClass[index].increment();
            }
            duration.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        });
        rc.next();
    }
}
