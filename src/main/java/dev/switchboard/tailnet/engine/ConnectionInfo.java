package dev.switchboard.tailnet.engine;

import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpMapJson;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;

/**
 * {@code GET /api/v2/workspaceagents/connection} ({@code codersdk/workspacesdk AgentConnectionInfo}): the DERP map
 * and the deployment's transport switches, which a peer needs before it can pick a home region.
 *
 * @param disableDirectConnections {@code CODER_BLOCK_DIRECT}: the deployment wants relay-only peers
 */
public record ConnectionInfo(DerpMap derpMap, boolean derpForceWebsockets, boolean disableDirectConnections) {
    static final String PATH = "/api/v2/workspaceagents/connection";
    /** Coder's session/agent token header ({@code codersdk.SessionTokenHeader}). */
    static final String TOKEN_HEADER = "Coder-Session-Token";

    /** Parses the JSON body; throws {@link IllegalArgumentException} on a body that is not one. */
    public static ConnectionInfo parse(Buffer body) {
        JsonObject json;
        try {
            json = body.toJsonObject();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("connection info is not JSON");
        }
        JsonObject map = json.getJsonObject("derp_map");
        if (map == null) {
            throw new IllegalArgumentException("connection info has no derp_map");
        }
        return new ConnectionInfo(DerpMapJson.read(map.encode()), json.getBoolean("derp_force_websockets", false),
                json.getBoolean("disable_direct_connections", false));
    }

    /** Fetches it from {@code server} with {@code token}; call on the context that should see the callbacks. */
    public static Future<ConnectionInfo> fetch(HttpClient http, URI server, String token) {
        boolean tls = "https".equalsIgnoreCase(server.getScheme());
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost(server.getHost())
                .setPort(server.getPort() > 0 ? server.getPort() : tls ? 443 : 80).setSsl(tls).setURI(PATH)
                .setTimeout(10_000).putHeader(TOKEN_HEADER, token);
        return http.request(request).compose(req -> req.send()).compose(response -> response.body().compose(body ->
                response.statusCode() == 200 ? Future.succeededFuture(parse(body))
                        : Future.failedFuture(PATH + ": HTTP " + response.statusCode())));
    }

    /** The same info with another DERP map (tests route the relay through an observer). */
    public ConnectionInfo withDerpMap(DerpMap map) {
        return new ConnectionInfo(map, derpForceWebsockets, disableDirectConnections);
    }
}
