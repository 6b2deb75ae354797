package dev.switchboard.auth;

import dev.switchboard.http.ApiError;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.function.Consumer;

/**
 * Authenticates API requests by their bearer token ({@code Coder-Session-Token} header or
 * {@code Authorization: Bearer}). Missing or invalid → 401 with Coder's error body; never logs the token.
 */
@ApplicationScoped
public class BearerAuthenticator {
    private final Vertx vertx;
    private final TokenService tokens;

    public BearerAuthenticator(Vertx vertx, TokenService tokens) {
        this.vertx = vertx;
        this.tokens = tokens;
    }

    /**
     * Verifies off the event loop (a JWKS may need fetching), then calls {@code next} on it. The request stays
     * paused for {@code next}: {@code toWebSocket()} and {@code body()} resume it once their handlers are in place.
     */
    public void authenticate(RoutingContext rc, Consumer<Principal> next) {
        String token = bearerToken(rc.request());
        if (token == null) {
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
                String reason = result.cause() instanceof AuthenticationException ? result.cause().getMessage()
                        : "token verification failed";
                ApiError.of(401, "Invalid authentication token.", reason).send(rc.response());
            }
        });
    }

    static String bearerToken(HttpServerRequest request) {
        String session = request.getHeader("Coder-Session-Token");
        if (session != null && !session.isBlank()) {
            return session.strip();
        }
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).strip();
        }
        return null;
    }
}
