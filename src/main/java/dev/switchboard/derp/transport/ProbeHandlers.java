package dev.switchboard.derp.transport;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.util.regex.Pattern;

/** The relay's small HTTP endpoints: latency probes and the captive-portal check (Tailscale's `cmd/derper/derper.go`: probeHandler, serveNoContent). */
public final class ProbeHandlers {
    private static final Pattern CHALLENGE = Pattern.compile("[a-zA-Z0-9._:-]{0,64}");

    private ProbeHandlers() {
    }

    /** {@code /derp/probe} and {@code /derp/latency-check}: GET/HEAD answer 200 with CORS open; else 405. */
    public static void probe(RoutingContext rc) {
        HttpMethod method = rc.request().method();
        if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            rc.response().setStatusCode(405).end("bogus probe method");
            return;
        }
        rc.response().putHeader("Access-Control-Allow-Origin", "*").setStatusCode(200).end();
    }

    /** {@code /generate_204}: always 204; echoes a well-formed {@code X-Tailscale-Challenge}. */
    public static void generate204(RoutingContext rc) {
        String challenge = rc.request().getHeader("X-Tailscale-Challenge");
        var response = rc.response()
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache, no-store, must-revalidate, no-transform, max-age=0");
        if (challenge != null && CHALLENGE.matcher(challenge).matches()) {
            response.putHeader("X-Tailscale-Response", "response " + challenge);
        }
        response.setStatusCode(204).end();
    }
}
