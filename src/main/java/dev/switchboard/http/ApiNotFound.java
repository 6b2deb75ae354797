package dev.switchboard.http;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Unknown {@code /api/v2/*} paths answer Coder's JSON error body (coderd's {@code httpapi.RouteNotFound}: 404
 * "Route not found."), not Vert.x's HTML page, so API clients can always parse an error.
 */
@ApplicationScoped
public class ApiNotFound {
    /** After every other route: only what nothing else matched arrives here. */
    private static final int LAST = Integer.MAX_VALUE - 1;

    void install(@Observes Router router) {
        router.route("/api/v2/*").order(LAST).handler(rc -> ApiError.of(404, "Route not found.",
                "No API endpoint at " + rc.request().method() + " " + rc.normalizedPath() + ".").send(rc.response()));
    }
}
