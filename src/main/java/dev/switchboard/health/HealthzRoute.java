package dev.switchboard.health;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Coder's {@code GET /healthz} on the public listener: 200 {@code OK} (the access-URL health check reads it). */
@ApplicationScoped
public class HealthzRoute {
    void install(@Observes Router router) {
        router.get("/healthz").handler(rc -> rc.response().putHeader("Content-Type", "text/plain").end("OK"));
    }
}
