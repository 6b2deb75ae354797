package dev.switchboard.derp.client;

import dev.switchboard.derp.DerpLimits;
import dev.switchboard.derp.DerpProtocolException;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.link.NetSocketConnection;
import dev.switchboard.derp.link.WebSocketConnection;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrustOptions;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;

/**
 * Opens the byte stream under a {@link DerpClient}: TCP (optionally TLS) with {@code Upgrade: DERP}, optionally with
 * fast start, or a WebSocket with subprotocol {@code derp} (Tailscale's {@code derp/derphttp} client). Runs on the
 * client's event loop; the returned future completes once the handshake has.
 */
final class DerpDialer {
    private DerpDialer() {
    }

    static Future<DerpClient> dial(Vertx vertx, DerpClientOptions options, Context context) {
        return options.webSocket() ? webSocket(vertx, options, context) : upgrade(vertx, options, context);
    }

    private static Future<DerpClient> upgrade(Vertx vertx, DerpClientOptions options, Context context) {
        NetClientOptions netOptions = new NetClientOptions()
                .setSsl(options.tls()).setTrustAll(options.trustAll())
                .setHostnameVerificationAlgorithm(verifiesName(options) ? "HTTPS" : "")
                .setConnectTimeout((int) options.connectTimeout().toMillis()).setTcpNoDelay(true);
        trust(options).ifPresent(netOptions::setTrustOptions);
        NetClient net = vertx.createNetClient(netOptions);
        NodeKey fastStartKey = options.serverKey().orElse(null);
        // The third argument is the TLS peer name: SNI and the name the certificate is verified against.
        return opened(net.connect(options.port(), options.url().getHost(), options.serverName()), net::close,
                socket -> {
                    DerpClient client = new DerpClient(options, context, net::close, fastStartKey == null, fastStartKey);
                    client.attach(new NetSocketConnection(socket, context));
                    Buffer request = upgradeRequest(options);
                    if (fastStartKey != null) {
                        // Fast start: like Tailscale's client, head and ClientInfo leave in one write; no 101 comes.
                        request.appendBuffer(client.clientInfoFrame(fastStartKey));
                    }
                    client.writeNow(request);
                    return handshake(vertx, options, client);
                });
    }

    private static Future<DerpClient> webSocket(Vertx vertx, DerpClientOptions options, Context context) {
        WebSocketClientOptions wsOptions = new WebSocketClientOptions()
                .setSsl(options.tls()).setTrustAll(options.trustAll()).setVerifyHost(verifiesName(options))
                .setConnectTimeout((int) options.connectTimeout().toMillis())
                .setMaxFrameSize(DerpLimits.MAX_SERVER_FRAME_LEN).setMaxMessageSize(2 * DerpLimits.MAX_SERVER_FRAME_LEN);
        trust(options).ifPresent(wsOptions::setTrustOptions);
        WebSocketClient ws = vertx.createWebSocketClient(wsOptions);
        // Host (and so SNI and the verified name) is the certificate's name; the socket goes to the URL's host.
        WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost(options.serverName())
                .setServer(SocketAddress.inetSocketAddress(options.port(), options.url().getHost()))
                .setPort(options.port()).setSsl(options.tls()).setURI(options.url().getRawPath())
                .addSubProtocol("derp");
        return opened(ws.connect(connect), ws::close, socket -> {
            DerpClient client = new DerpClient(options, context, ws::close, false, null);
            client.attach(new WebSocketConnection(socket, context));
            return handshake(vertx, options, client);
        });
    }

    /** A pinned certificate is accepted by its hash alone (tailscale net/tlsdial); otherwise names are checked. */
    private static boolean verifiesName(DerpClientOptions options) {
        return !options.trustAll() && options.certName().flatMap(CertName::pin).isEmpty();
    }

    private static Optional<TrustOptions> trust(DerpClientOptions options) {
        Optional<CertName> pinned = options.certName().filter(name -> name.pin().isPresent());
        if (pinned.isPresent() && !options.trustAll()) {
            return Optional.of(TrustOptions.wrap(pinned.get().pinnedTrustManager()));
        }
        return options.trustPem().map(pem -> new PemTrustOptions().addCertPath(pem.toString()));
    }

    /** Starts the session once the socket is open; if it did not open, releases the Vert.x client made for it. */
    private static <S> Future<DerpClient> opened(Future<S> socket, Runnable closeClient,
                                                 Function<S, Future<DerpClient>> start) {
        return socket.compose(start, failure -> {
            closeClient.run();
            return Future.failedFuture(failure);
        });
    }

    /** The handshake's completion, failed (and the connection closed) if it takes longer than the connect timeout. */
    private static Future<DerpClient> handshake(Vertx vertx, DerpClientOptions options, DerpClient client) {
        long timer = vertx.setTimer(options.connectTimeout().toMillis(),
                id -> client.fail(new DerpProtocolException("handshake_timeout", "DERP handshake timed out")));
        return client.handshakeFuture().onComplete(r -> vertx.cancelTimer(timer));
    }

    private static Buffer upgradeRequest(DerpClientOptions options) {
        StringBuilder head = new StringBuilder("GET ").append(options.url().getRawPath()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(options.serverName()).append(':').append(options.port()).append("\r\n")
                .append("User-Agent: switchboard-derp-client\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Upgrade: DERP\r\n");
        if (options.serverKey().isPresent()) {
            head.append("Derp-Fast-Start: 1\r\n");
        }
        options.idealNode().ifPresent(node -> head.append("Ideal-Node: ").append(node).append("\r\n"));
        return Buffer.buffer(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    }
}
