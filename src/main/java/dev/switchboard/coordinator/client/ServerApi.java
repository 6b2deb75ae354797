package dev.switchboard.coordinator.client;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The server's HTTP side of coordination that is not the stream itself: RefreshResumeToken and Coder's JSON error
 * bodies. Switchboard serves RefreshResumeToken as {@code POST /api/v2/tailnet/resume-token} with
 * {@code {"peer_id":"<uuid>"}} (Coder runs it as a dRPC call on the coordinate connection, `tailnet/service.go`).
 */
final class ServerApi {
    static final String TOKEN_HEADER = "Coder-Session-Token";
    /** Response header carrying the stream's peer ID (the server's CoordinateRoutes.PEER_ID_HEADER). */
    static final String PEER_ID_HEADER = "Switchboard-Peer-Id";
    static final String RESUME_TOKEN_PATH = "/api/v2/tailnet/resume-token";
    /** Coder's client refreshes after 30 min when the server gives no positive refresh_in (`tailnet/resume.go`). */
    static final Duration DEFAULT_REFRESH = Duration.ofMinutes(30);

    private ServerApi() {
    }

    /** A RefreshResumeTokenResponse (coder/coder `tailnet/proto/tailnet.proto`). */
    record ResumeToken(String token, Duration refreshIn, Instant expiresAt) {
    }

    /** Coder's error body {@code {"message":…,"detail":…,"validations":[{"field":…}]}}, or what could be read of it. */
    record ErrorBody(String message, String detail, String validationField) {
    }

    /** What a refused upgrade means for the client. */
    enum Refusal { DROP_RESUME_TOKEN, PERMANENT, RETRY }

    /**
     * Coder's client (`tailnet/controllers.go`, `tailnet/resume.go`): a 401 naming {@code resume_token} means drop
     * the token and redial at once with a fresh identity; other 4xx (token, access, version, browser-only) will not
     * change by retrying; 408, 429 and 5xx are transient.
     */
    static Refusal classify(int status, ErrorBody body, boolean presentedToken) {
        if (status == 401 && presentedToken && "resume_token".equals(body.validationField())) {
            return Refusal.DROP_RESUME_TOKEN;
        }
        return status >= 400 && status < 500 && status != 408 && status != 429 ? Refusal.PERMANENT : Refusal.RETRY;
    }

    /** The upgrade request for one dial, presenting {@code resumeToken} if not null. */
    static WebSocketConnectOptions dialOptions(CoordinatorClientOptions options, String resumeToken) {
        String uri = options.target().path() + "?version=" + URLEncoder.encode(options.version(), StandardCharsets.UTF_8)
                + (resumeToken == null ? "" : "&resume_token=" + URLEncoder.encode(resumeToken, StandardCharsets.UTF_8));
        return new WebSocketConnectOptions().setHost(options.server().getHost()).setPort(options.port())
                .setSsl(options.tls()).setURI(uri).setTimeout(options.connectTimeout().toMillis())
                .putHeader(TOKEN_HEADER, options.token());
    }

    /** Fetches a token for {@code peerId}; must be called on the client's context so callbacks run there. */
    static Future<ResumeToken> fetchResumeToken(HttpClient http, CoordinatorClientOptions options, UUID peerId) {
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setHost(options.server().getHost())
                .setPort(options.port()).setSsl(options.tls()).setURI(RESUME_TOKEN_PATH)
                .setTimeout(options.connectTimeout().toMillis())
                .putHeader(TOKEN_HEADER, options.token()).putHeader("Content-Type", "application/json");
        Buffer body = Buffer.buffer(new JsonObject().put("peer_id", peerId.toString()).encode());
        return http.request(request).compose(req -> req.send(body)).compose(response -> response.body()
                .compose(payload -> response.statusCode() == 200 ? Future.succeededFuture(parseToken(payload))
                        : Future.failedFuture("resume token: HTTP " + response.statusCode())));
    }

    static ResumeToken parseToken(Buffer payload) {
        JsonObject json = payload.toJsonObject();
        String refresh = json.getString("refresh_in", "0s");
        Duration refreshIn = Duration.ofMillis((long) (Double.parseDouble(refresh.replaceAll("s$", "")) * 1000));
        String expires = json.getString("expires_at");
        return new ResumeToken(json.getString("token"), refreshIn.isNegative() || refreshIn.isZero()
                ? DEFAULT_REFRESH : refreshIn, expires == null ? Instant.MAX : Instant.parse(expires));
    }

    static ErrorBody errorBody(Buffer body) {
        try {
            JsonObject json = body == null ? new JsonObject() : body.toJsonObject();
            JsonArray validations = json.getJsonArray("validations");
            String field = validations == null || validations.isEmpty() ? null
                    : validations.getJsonObject(0).getString("field");
            return new ErrorBody(json.getString("message", ""), json.getString("detail"), field);
        } catch (RuntimeException e) {
            return new ErrorBody(body == null ? "" : body.toString(), null, null);
        }
    }
}
