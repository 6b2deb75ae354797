package dev.switchboard.derp.transport;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.derp.server.DerpServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The DERP HTTP surface (derp-protocol.md §9): {@code /derp} upgrades (Upgrade: DERP with optional fast start, or
 * WebSocket with subprotocol {@code derp}), the latency probes and the captive-portal check. Routes are installed
 * ahead of REST so the upgrade sees the raw request.
 */
@ApplicationScoped
public class DerpRoutes {
    private static final Logger LOG = Logger.getLogger(DerpRoutes.class);
    static final String UPGRADE_REQUIRED_BODY = "DERP requires connection upgrade";
    private static final Pattern CHALLENGE = Pattern.compile("[a-zA-Z0-9._:-]{0,64}");

    private final SwitchboardConfig config;
    private final Instance<DerpServer> derpServer;

    public DerpRoutes(SwitchboardConfig config, Instance<DerpServer> derpServer) {
        this.config = config;
        this.derpServer = derpServer;
    }

    void install(@Observes Router router) {
        router.route("/derp").order(-100).handler(this::handleDerp);
        router.route("/derp/probe").order(-100).handler(DerpRoutes::handleProbe);
        router.route("/derp/latency-check").order(-100).handler(DerpRoutes::handleProbe);
        router.route("/generate_204").order(-100).handler(DerpRoutes::handleGenerate204);
    }

    private void handleDerp(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (!config.derp().server().enable()) {
            rc.response().setStatusCode(404).end("derp server disabled");
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
        if (up.equals("websocket") && offersDerpSubprotocol(request)) {
            acceptWebSocket(request);
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

    private void acceptWebSocket(HttpServerRequest request) {
        DerpServer server = derpServer.get();
        request.toWebSocket().onSuccess((ServerWebSocket ws) -> {
            if (!"derp".equals(ws.subProtocol())) {
                ws.close((short) 1008, "client must speak the derp subprotocol");
                return;
            }
            server.noteWebSocketAccept();
            server.accept(new WebSocketConnection(ws, Vertx.currentContext()), false);
        }).onFailure(e -> LOG.debugf("derp: WebSocket upgrade failed: %s", e.getMessage()));
    }

    private void acceptUpgrade(HttpServerRequest request) {
        DerpServer server = derpServer.get();
        boolean fastStart = "1".equals(request.getHeader("Derp-Fast-Start"));
        String idealNode = request.getHeader("Ideal-Node");
        UpgradeTakeover takeover = UpgradeTakeover.begin(request);
        NetSocketConnection connection = new NetSocketConnection(takeover.socket(), takeover.socket().getContext());
        if (!fastStart) {
            connection.write(switchingProtocols(server));
        }
        server.accept(connection, idealNode != null && !idealNode.isEmpty());
        takeover.releaseBufferedBytes();
    }

    /** The exact 101 derper writes; clients check only the status, but byte-equality keeps us honest. */
    static Buffer switchingProtocols(DerpServer server) {
        return Buffer.buffer(("HTTP/1.1 101 Switching Protocols\r\n"
                + "Upgrade: DERP\r\n"
                + "Connection: Upgrade\r\n"
                + "Derp-Version: 2\r\n"
                + "Derp-Public-Key: " + server.publicKey().toHex() + "\r\n"
                + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void handleProbe(RoutingContext rc) {
        HttpMethod method = rc.request().method();
        if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            rc.response().setStatusCode(405).end("bogus probe method");
            return;
        }
        rc.response().putHeader("Access-Control-Allow-Origin", "*").setStatusCode(200).end();
    }

    /** Captive-portal check: always 204; echoes a well-formed X-Tailscale-Challenge (derp-protocol.md §9.5). */
    static void handleGenerate204(RoutingContext rc) {
        String challenge = rc.request().getHeader("X-Tailscale-Challenge");
        var response = rc.response()
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache, no-store, must-revalidate, no-transform, max-age=0");
        if (challenge != null && CHALLENGE.matcher(challenge).matches()) {
            response.putHeader("X-Tailscale-Response", "response " + challenge);
        }
        response.setStatusCode(204).end();
    }
}
