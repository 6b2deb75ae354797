package dev.switchboard.derp.transport;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * HTTP server options DERP-over-WebSocket needs and no {@code quarkus.http.*} property sets: the {@code derp}
 * subprotocol, no compression (WireGuard data does not compress; Safari's permessage-deflate is buggy), and frames
 * large enough for a 64 KiB packet plus framing.
 */
@ApplicationScoped
public class DerpHttpOptions implements HttpServerOptionsCustomizer {
    /** Largest WebSocket message accepted: a maximal ClientInfo (256 KiB) with room to spare, still bounded. */
    static final int MAX_WEBSOCKET_MESSAGE_BYTES = 512 * 1024;

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        apply(options);
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        apply(options);
    }

    /** Applies the settings to any HTTP server options (also used by tests that run a bare Vert.x server). */
    public static HttpServerOptions apply(HttpServerOptions options) {
        options.setWebSocketSubProtocols(List.of("derp"))
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                .setMaxWebSocketFrameSize(MAX_WEBSOCKET_MESSAGE_BYTES)
                .setMaxWebSocketMessageSize(MAX_WEBSOCKET_MESSAGE_BYTES);
        return options;
    }
}
