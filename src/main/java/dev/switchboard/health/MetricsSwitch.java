package dev.switchboard.health;

import dev.switchboard.config.SwitchboardConfig;
import io.quarkus.vertx.http.ManagementInterface;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** CODER_PROMETHEUS_ENABLE=false hides /q/metrics on the management listener; the probes stay. */
@ApplicationScoped
public class MetricsSwitch {
    void install(@Observes ManagementInterface management, SwitchboardConfig config) {
        if (!config.prometheus().enable()) {
            management.router().route("/q/metrics*").order(-1)
                    .handler(rc -> rc.response().setStatusCode(404).end("metrics are disabled (CODER_PROMETHEUS_ENABLE)"));
        }
    }
}
