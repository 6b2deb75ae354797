package dev.switchboard.derp.transport;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import dev.switchboard.derp.server.DerpServer;
import dev.switchboard.tls.Certificates;
import dev.switchboard.derp.transport.MetaCertificateKeyManager;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import javax.net.ssl.KeyManager;
import javax.net.ssl.X509ExtendedKeyManager;
import java.security.cert.X509Certificate;

import java.util.List;

/**
 * HTTP server options DERP-over-WebSocket needs and no {@code quarkus.http.*} property sets: the {@code derp}
 * subprotocol, no compression (WireGuard data does not compress; Safari's permessage-deflate is buggy), and frames
 * large enough for a 64 KiB packet plus framing.
 */
@ApplicationScoped
public class DerpHttpOptions implements HttpServerOptionsCustomizer {
    private final Vertx vertx;
    private final Instance<DerpServer> derpServer;

    public DerpHttpOptions(Vertx vertx, Instance<DerpServer> derpServer) {
        this.vertx = vertx;
        this.derpServer = derpServer;
    }

    /** Largest WebSocket message accepted: a maximal ClientInfo (256 KiB) with room to spare, still bounded. */
    static final int MAX_WEBSOCKET_MESSAGE_BYTES = 512 * 1024;

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        apply(options);
    }

    /** HTTPS also gets derper's meta certificate after the real chain, so TLS 1.3 clients can use fast start. */
    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        apply(options);
        KeyCertOptions keyCert = options.getKeyCertOptions();
        if (keyCert == null || !derpServer.isResolvable()) {
            return;
        }
        try {
            X509Certificate meta = MetaCertificateKeyManager.certificate(derpServer.get().publicKey());
            for (KeyManager manager : keyCert.getKeyManagerFactory(vertx).getKeyManagers()) {
                if (manager instanceof X509ExtendedKeyManager x509) {
                    options.setKeyCertOptions(KeyCertOptions.wrap(new MetaCertificateKeyManager(x509, meta)));
                    return;
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot load the TLS certificate: " + e.getMessage(), e);
        }
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
