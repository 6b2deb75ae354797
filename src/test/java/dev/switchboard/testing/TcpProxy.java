package dev.switchboard.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP forwarder in front of a server, so a test can cut every connection at once — a network failure
 * as the client sees it (no close frame, no HTTP error), without touching the server.
 */
public final class TcpProxy implements AutoCloseable {
    private final NetServer server;
    private final NetClient client;
    private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();

    private TcpProxy(Vertx vertx, int targetPort) {
        client = vertx.createNetClient();
        server = vertx.createNetServer().connectHandler(in -> {
            in.pause();
            client.connect(targetPort, "127.0.0.1").onSuccess(out -> {
                sockets.add(in);
                sockets.add(out);
                in.closeHandler(v -> sockets.remove(in));
                out.closeHandler(v -> sockets.remove(out));
                in.pipeTo(out);
                out.pipeTo(in);
            }).onFailure(e -> in.close());
        });
    }

    public static TcpProxy start(Vertx vertx, int targetPort) {
        TcpProxy proxy = new TcpProxy(vertx, targetPort);
        TestRelay.await(proxy.server.listen(0, "127.0.0.1"));
        return proxy;
    }

    public int port() {
        return server.actualPort();
    }

    /** Closes every forwarded connection, both legs; new connections are still accepted. */
    public void dropAll() {
        sockets.forEach(NetSocket::close);
    }

    @Override
    public void close() {
        dropAll();
        TestRelay.await(server.close());
        TestRelay.await(client.close());
    }
}
