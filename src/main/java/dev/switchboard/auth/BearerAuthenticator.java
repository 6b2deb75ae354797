package dev.switchboard.auth;

import dev.switchboard.http.ApiError;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.function.Consumer;

/**
 * Authenticates API requests by their session token: the {@code Coder-Session-Token} header,
 * {@code Authorization: Bearer}, or, for GET requests only (pages a browser opens, like the debug page), Coder's
 * {@code coder_session_token} cookie (a WebSocket upgrade only from the same origin). Missing or invalid → 401 with Coder's error body and a detail that says why
 * (expired, bad signature…), counted by reason in {@code switchboard_auth_failures_total}; never logs the token.
 */
@ApplicationScoped
public class BearerAuthenticator {
    /** Coder's session cookie name (`codersdk.SessionTokenCookie`). */
    static final String SESSION_COOKIE = "coder_session_token";
    private static final String FAILURES = "switchboard.auth.failures";

    private final Vertx vertx;
    private final TokenService tokens;
    private final MeterRegistry registry;

    public BearerAuthenticator(Vertx vertx, TokenService tokens, MeterRegistry registry) {
        this.vertx = vertx;
        this.tokens = tokens;
        this.registry = registry;
    }

    /**
     * Verifies off the event loop (a JWKS may need fetching), then calls {@code next} on it. The request stays
     * paused for {@code next}: {@code toWebSocket()} and {@code body()} resume it once their handlers are in place.
     */
    public void authenticate(RoutingContext rc, Consumer<Principal> next) {
        String token = sessionToken(rc.request());
        if (token == null) {
            counted(TokenRejection.MISSING);
            ApiError.of(401, "You must be logged in to use this endpoint.",
                    "Send a session token in the Coder-Session-Token header or as Authorization: Bearer.")
                    .send(rc.response());
            return;
        }
        rc.request().pause();
        vertx.executeBlocking(() -> tokens.verify(token), false).onComplete(result -> {
            if (result.succeeded()) {
                next.accept(result.result());
            } else {
                TokenRejection reason = result.cause() instanceof AuthenticationException refused ? refused.reason()
                        : TokenRejection.MALFORMED;
                counted(reason);
                ApiError.of(401, "Invalid authentication token.", reason.detail()).send(rc.response());
            }
        });
    }

    private void counted(TokenRejection reason) {
        registry.counter(FAILURES, "reason", reason.label()).increment();
    }

    static String sessionToken(HttpServerRequest request) {
        String session = request.getHeader("Coder-Session-Token");
        if (session != null && !session.isBlank()) {
            return session.strip();
        }
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).strip();
        }
        // Only GET: a cookie rides along on cross-site requests, so nothing that changes state may accept it; and
        // a cross-origin WebSocket (which browsers let any page open) may not borrow it either.
        Cookie cookie = request.method() == HttpMethod.GET ? request.getCookie(SESSION_COOKIE) : null;
        if (cookie == null || cookie.getValue().isBlank() || crossOriginUpgrade(request)) {
            return null;
        }
        return cookie.getValue().strip();
    }

    private static boolean crossOriginUpgrade(HttpServerRequest request) {
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin == null || !"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
            return false;
        }
        try {
            java.net.URI uri = java.net.URI.create(origin);
            return request.authority() == null || uri.getHost() == null
                    || !uri.getHost().equalsIgnoreCase(request.authority().host());
        } catch (IllegalArgumentException e) {
            return true;
        }
    }
}
