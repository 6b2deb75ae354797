package dev.switchboard.http;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.config.PublicListener;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.net.URI;

/**
 * CODER_REDIRECT_TO_ACCESS_URL: a request for any other host is sent to the access URL (307, method kept). The relay
 * and the captive-portal check are exempt: clients reach them by whatever name or IP the DERP map gives.
 */
@ApplicationScoped
public class AccessUrlRedirect {
    private static final int BEFORE_RELAY_ROUTES = -200;

    private final SwitchboardConfig config;
    private final URI access;

    public AccessUrlRedirect(SwitchboardConfig config, PublicListener listener) {
        this.config = config;
        this.access = listener.accessUrl();
    }

    void install(@Observes Router router) {
        if (config.redirectToAccessUrl()) {
            router.route().order(BEFORE_RELAY_ROUTES).handler(this::redirect);
        }
    }

    private void redirect(RoutingContext rc) {
        String path = rc.request().path();
        String host = rc.request().authority() == null ? null : rc.request().authority().host();
        if (host == null || host.equalsIgnoreCase(access.getHost()) || path.equals("/derp")
                || path.startsWith("/derp/") || path.equals("/generate_204")) {
            rc.next();
            return;
        }
        rc.response().setStatusCode(307)
                .putHeader(HttpHeaders.LOCATION, access.resolve(rc.request().uri()).toString()).end();
    }
}
