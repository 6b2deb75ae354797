package dev.switchboard.derpmap;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
 * {@code GET /api/v2/workspaceagents/connection} ({@code codersdk/workspacesdk AgentConnectionInfo}, served by
 * coderd/workspaceagents.go): the DERP map and the deployment's transport switches, which a peer needs before it
 * can pick a home region and netcheck needs to know what to probe. The client side of what {@link DerpMapRoutes}
 * serves.
 *
 * @param disableDirectConnections {@code CODER_BLOCK_DIRECT}: the deployment wants relay-only peers
 */
public record AgentConnectionInfo(DerpMap derpMap, boolean derpForceWebsockets, boolean disableDirectConnections) {
    static final String PATH = "/api/v2/workspaceagents/connection";
    /** Coder's session/agent token header ({@code codersdk.SessionTokenHeader}). */
    static final String TOKEN_HEADER = "Coder-Session-Token";

    /** Parses the JSON body; throws {@link IllegalArgumentException} with a one-line reason on anything else. */
    public static AgentConnectionInfo parse(Buffer body) {
        try {
            JsonObject json = body.toJsonObject();
            JsonObject map = json.getJsonObject("derp_map");
            if (map == null) {
                throw new IllegalArgumentException("the response has no derp_map");
            }
            return new AgentConnectionInfo(DerpMapJson.read(map.encode()), json.getBoolean("derp_force_websockets", false),
                    json.getBoolean("disable_direct_connections", false));
        } catch (DecodeException | ClassCastException | InvalidDerpMapException e) {
            throw new IllegalArgumentException("not a connection info: " + e.getMessage());
        }
    }

    /**
     * Fetches it from {@code server} (its path is kept as a prefix), presenting {@code token} if given, on the
     * caller's context; fails with a one-line reason.
     */
    public static Future<AgentConnectionInfo> fetch(HttpClient http, URI server, Optional<String> token,
                                               Duration timeout) {
        boolean tls = "https".equalsIgnoreCase(server.getScheme());
        String base = server.getRawPath() == null ? "" : server.getRawPath().replaceAll("/+$", "");
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost(server.getHost())
                .setPort(server.getPort() > 0 ? server.getPort() : tls ? 443 : 80).setSsl(tls).setURI(base + PATH)
                .setTimeout(timeout.toMillis());
        token.ifPresent(t -> request.putHeader(TOKEN_HEADER, t));
        String what = "GET " + server.getScheme() + "://" + server.getRawAuthority() + base + PATH;
        return http.request(request).compose(req -> req.send())
                .recover(e -> Future.failedFuture("cannot reach " + server + ": " + e.getMessage()))
                .compose(response -> response.body().compose(body -> {
                    if (response.statusCode() != 200) {
                        return Future.failedFuture(what + ": HTTP " + response.statusCode() + message(body));
                    }
                    try {
                        return Future.succeededFuture(parse(body));
                    } catch (IllegalArgumentException e) {
                        return Future.failedFuture(what + ": " + e.getMessage());
                    }
                }));
    }

    /** As above with a client of its own, closed when done. */
    public static Future<AgentConnectionInfo> fetch(Vertx vertx, URI server, Optional<String> token, Duration timeout) {
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) timeout.toMillis()));
        return fetch(http, server, token, timeout).eventually(() -> http.close());
    }

    /** The same info with another DERP map (tests route the relay through an observer). */
    public AgentConnectionInfo withDerpMap(DerpMap map) {
        return new AgentConnectionInfo(map, derpForceWebsockets, disableDirectConnections);
    }

    /** Coder's error body {@code {"message":…}}, or nothing when it is not one. */
    private static String message(Buffer body) {
        try {
            String message = new JsonObject(body).getString("message");
            return message == null ? "" : ": " + message;
        } catch (DecodeException | ClassCastException e) {
            return "";
        }
    }
}
