package dev.switchboard.derp.transport;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.derp.server.DerpServer;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

/**
 * Installs the relay's HTTP routes ahead of REST, so the upgrade handler sees the raw request before anything
 * reads or buffers it. With {@code CODER_DERP_SERVER_ENABLE=false}, {@code /derp} answers 404.
 */
@ApplicationScoped
public class DerpRoutes {
    private static final int BEFORE_EVERYTHING = -100;

    private final SwitchboardConfig config;
    private final Instance<DerpServer> derpServer;

    public DerpRoutes(SwitchboardConfig config, Instance<DerpServer> derpServer) {
        this.config = config;
        this.derpServer = derpServer;
    }

    void install(@Observes Router router) {
        if (config.derp().server().enable()) {
            router.route("/derp").order(BEFORE_EVERYTHING).handler(new DerpUpgradeHandler(derpServer.get()));
        } else {
            router.route("/derp").order(BEFORE_EVERYTHING)
                    .handler(rc -> rc.response().setStatusCode(404).end("derp server disabled"));
        }
        router.route("/derp/probe").order(BEFORE_EVERYTHING).handler(ProbeHandlers::probe);
        router.route("/derp/latency-check").order(BEFORE_EVERYTHING).handler(ProbeHandlers::probe);
        router.route("/generate_204").order(BEFORE_EVERYTHING).handler(ProbeHandlers::generate204);
    }
}
