package dev.switchboard.derp.transport;

import dev.switchboard.vertx.VertxInternals;
import dev.switchboard.derp.link.WebSocketConnection;
import dev.switchboard.derp.link.NetSocketConnection;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.server.DerpServer;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * {@code GET /derp} (Tailscale's `derp/derphttp/derphttp_server.go` and `cmd/derper/websocket.go`): {@code Upgrade: DERP} (fast start with {@code Derp-Fast-Start: 1})
 * or {@code Upgrade: websocket} offering subprotocol {@code derp}; anything else gets 426. Every transport ends in
 * {@link DerpServer#accept}.
 */
public final class DerpUpgradeHandler implements Handler<RoutingContext> {
    private static final Logger LOG = Logger.getLogger(DerpUpgradeHandler.class);
    static final String UPGRADE_REQUIRED_BODY = "DERP requires connection upgrade";

    private final DerpServer server;

    public DerpUpgradeHandler(DerpServer server) {
        this.server = server;
    }

    @Override
    public void handle(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (server.isDraining()) {
            // Clients treat any non-101 as "try again elsewhere or later"; existing connections keep relaying.
            rc.response().setStatusCode(503).putHeader("Retry-After", "5").end("DERP server is shutting down");
            return;
        }
        String upgrade = request.getHeader(HttpHeaders.UPGRADE);
        String up = upgrade == null ? "" : upgrade.toLowerCase(Locale.ROOT);
        if (!up.equals("derp") && !up.equals("websocket") || request.version() != HttpVersion.HTTP_1_1) {
            if (!up.isEmpty()) {
                LOG.debugf("derp: weird upgrade: \"%s\"", upgrade);
            }
            rc.response().setStatusCode(426).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .end(UPGRADE_REQUIRED_BODY);
            return;
        }
        java.net.InetAddress source = request.remoteAddress() == null ? null
                : io.netty.util.NetUtil.createInetAddressFromIpAddressString(request.remoteAddress().hostAddress());
        if (!server.admit(source)) {
            rc.response().setStatusCode(429).putHeader("Retry-After", "10")
                    .end("too many DERP connections from this address");
            return;
        }
        // Very early Tailscale clients sent "Upgrade: websocket" without the subprotocol and spoke raw DERP.
        if (up.equals("websocket") && offersDerpSubprotocol(request)) {
            acceptWebSocket(request, source);
        } else {
            acceptUpgrade(request);
        }
    }

    private static boolean offersDerpSubprotocol(HttpServerRequest request) {
        String offered = request.getHeader("Sec-WebSocket-Protocol");
        if (offered == null) {
            return false;
        }
        for (String protocol : offered.split(",")) {
            if (protocol.trim().equals("derp")) {
                return true;
            }
        }
        return false;
    }

    private void acceptWebSocket(HttpServerRequest request, java.net.InetAddress source) {
        request.toWebSocket().onSuccess((ServerWebSocket ws) -> {
            if (!"derp".equals(ws.subProtocol())) {
                server.release(source);
                ws.close((short) 1008, "client must speak the derp subprotocol");
                return;
            }
            server.noteWebSocketAccept();
            server.accept(new WebSocketConnection(ws, Vertx.currentContext()), false);
        }).onFailure(e -> {
            server.release(source);
            LOG.debugf("derp: WebSocket upgrade failed: %s", e.getMessage());
        });
    }

    private void acceptUpgrade(HttpServerRequest request) {
        boolean fastStart = "1".equals(request.getHeader("Derp-Fast-Start"));
        String idealNode = request.getHeader("Ideal-Node");
        var socket = VertxInternals.takeOver(request);
        NetSocketConnection connection = new NetSocketConnection(socket, VertxInternals.context(socket));
        if (!fastStart) {
            connection.write(switchingProtocols(server.publicKey()));
        }
        server.accept(connection, idealNode != null && !idealNode.isEmpty());
    }

    /** The exact 101 derper writes; clients check only the status, but byte equality keeps us honest. */
    public static Buffer switchingProtocols(NodeKey serverKey) {
        return Buffer.buffer(("HTTP/1.1 101 Switching Protocols\r\n"
                + "Upgrade: DERP\r\n"
                + "Connection: Upgrade\r\n"
                + "Derp-Version: 2\r\n"
                + "Derp-Public-Key: " + serverKey.toHex() + "\r\n"
                + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
}
