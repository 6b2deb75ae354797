package dev.switchboard.diagnostics;

import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpMapJson;
import dev.switchboard.derpmap.InvalidDerpMapException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The generic AgentConnectionInfo, {@code GET /api/v2/workspaceagents/connection} (coder/coder
 * coderd/workspaceagents.go): the DERP map and whether DERP must use WebSocket.
 */
public record ConnectionInfo(DerpMap derpMap, boolean derpForceWebsockets) {
    static final String PATH = "/api/v2/workspaceagents/connection";
    static final String TOKEN_HEADER = "Coder-Session-Token";

    /** Fetches it from {@code server}, presenting {@code token} if given; fails with a one-line reason. */
    public static Future<ConnectionInfo> fetch(Vertx vertx, URI server, Optional<String> token, Duration timeout) {
        boolean tls = "https".equalsIgnoreCase(server.getScheme());
        String base = server.getRawPath() == null ? "" : server.getRawPath().replaceAll("/+$", "");
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setSsl(tls)
                .setConnectTimeout((int) timeout.toMillis()));
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost(server.getHost())
                .setPort(server.getPort() > 0 ? server.getPort() : tls ? 443 : 80).setURI(base + PATH)
                .setTimeout(timeout.toMillis());
        token.ifPresent(t -> request.putHeader(TOKEN_HEADER, t));
        String what = "GET " + server.getScheme() + "://" + server.getRawAuthority() + base + PATH;
        return http.request(request).compose(req -> req.send())
                .recover(e -> Future.failedFuture("cannot reach " + server + ": " + e.getMessage()))
                .compose(response -> response.body().compose(body -> {
            if (response.statusCode() != 200) {
                return Future.failedFuture(what + ": HTTP " + response.statusCode() + message(body.toString()));
            }
            try {
                JsonObject json = body.toJsonObject();
                JsonObject map = json.getJsonObject("derp_map");
                if (map == null) {
                    return Future.failedFuture(what + ": the response has no derp_map");
                }
                return Future.succeededFuture(new ConnectionInfo(DerpMapJson.read(map.encode()),
                        json.getBoolean("derp_force_websockets", false)));
            } catch (DecodeException | ClassCastException | InvalidDerpMapException e) {
                return Future.failedFuture(what + ": not a connection info: " + e.getMessage());
            }
        })).eventually(() -> http.close());
    }

    /** Coder's error body {@code {"message":…}}, or nothing when it is not one. */
    private static String message(String body) {
        try {
            String message = new JsonObject(body).getString("message");
            return message == null ? "" : ": " + message;
        } catch (DecodeException | ClassCastException e) {
            return "";
        }
    }
}
