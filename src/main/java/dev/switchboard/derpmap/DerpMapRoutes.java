package dev.switchboard.derpmap;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.switchboard.http.BoundedWebSocketMessages;
import dev.switchboard.http.WebSocketPings;
import dev.switchboard.config.SwitchboardConfig;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * How clients get the map (Coder's `coderd/workspaceagents.go` derpMapUpdates): {@code GET /api/v2/derp-map} (JSON), {@code /api/v2/derp-map/stream}
 * (WebSocket: the map now, then every change) and {@code GET /api/v2/workspaceagents/connection}.
 */
@ApplicationScoped
public class DerpMapRoutes {
    private static final Logger LOG = Logger.getLogger(DerpMapRoutes.class);

    /** Largest client message the stream tolerates (and ignores); it expects none. */
    public static final int MAX_CLIENT_MESSAGE_BYTES = 4 * 1024;
    private static final short MESSAGE_TOO_BIG = 1009;

    private final DerpMapService maps;
    private final SwitchboardConfig config;

    public DerpMapRoutes(DerpMapService maps, SwitchboardConfig config) {
        this.maps = maps;
        this.config = config;
    }

    /** AgentConnectionInfo: what a client needs before dialling an agent. */
    @RegisterForReflection
    @JsonPropertyOrder({"derp_map", "derp_force_websockets", "disable_direct_connections", "hostname_suffix"})
    public record ConnectionInfo(@JsonProperty("derp_map") DerpMap derpMap,
                                 @JsonProperty("derp_force_websockets") boolean derpForceWebsockets,
                                 @JsonProperty("disable_direct_connections") boolean disableDirectConnections,
                                 @JsonProperty("hostname_suffix") String hostnameSuffix) {
    }

    void install(@Observes Router router) {
        router.get("/api/v2/derp-map").handler(rc -> json(rc, maps.current()));
        router.get("/api/v2/derp-map/stream").handler(this::stream);
        router.get("/api/v2/workspaceagents/connection").handler(rc -> json(rc, connectionInfo()));
    }

    public ConnectionInfo connectionInfo() {
        return new ConnectionInfo(maps.current(), config.derp().forceWebsockets(), config.blockDirect(),
                config.workspaceHostnameSuffix());
    }

    private static void json(RoutingContext rc, Object body) {
        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(DerpMapJson.write(body));
    }

    private void stream(RoutingContext rc) {
        rc.request().toWebSocket().onSuccess((ServerWebSocket ws) -> {
            // Clients send nothing here (pings are control frames); anything bigger than a small message is refused
            // with 1009 (RFC 6455 §7.4.1) before the listener's 512 KiB limits apply: see BoundedWebSocketMessages.
            BoundedWebSocketMessages.install(rc.request(), ws, MAX_CLIENT_MESSAGE_BYTES, message -> { }, text -> { },
                    seen -> ws.close(MESSAGE_TOO_BIG, "message exceeds " + MAX_CLIENT_MESSAGE_BYTES + " bytes"));
            ws.writeTextMessage(DerpMapJson.write(maps.current()));
            Runnable stopPings = WebSocketPings.start(ws, "map");
            Runnable unsubscribe = maps.subscribe(map -> {
                if (ws.writeQueueFull()) {
                    // A reader this far behind gets closed rather than buffered; it reconnects for the latest map.
                    ws.close((short) 1008, "too slow");
                } else {
                    ws.writeTextMessage(DerpMapJson.write(map));
                }
            });
            ws.closeHandler(v -> {
                stopPings.run();
                unsubscribe.run();
            });
        }).onFailure(e -> LOG.debugf("derp-map stream upgrade failed: %s", e.getMessage()));
    }
}
