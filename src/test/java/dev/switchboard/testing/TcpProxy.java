package dev.switchboard.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP forwarder in front of a server, so a test can cut every connection at once — a network failure
 * as the client sees it (no close frame, no HTTP error), without touching the server. A recording proxy also keeps
 * every byte it forwarded, per connection and direction, and can inject bytes towards the server: an on-path
 * observer and attacker.
 */
public final class TcpProxy implements AutoCloseable {
    /** One forwarded connection of a recording proxy: what went each way, and a way to add to the upstream. */
    public static final class Connection {
        private final NetSocket upstream;
        private final Buffer sent = Buffer.buffer();
        private final Buffer received = Buffer.buffer();

        private Connection(NetSocket upstream) {
            this.upstream = upstream;
        }

        /** A copy of the bytes the client sent towards the server. */
        public synchronized byte[] sent() {
            return sent.getBytes();
        }

        /** A copy of the bytes the server sent back. */
        public synchronized byte[] received() {
            return received.getBytes();
        }

        /** Writes {@code bytes} to the server as if the client had sent them. */
        public void inject(byte[] bytes) {
            upstream.write(Buffer.buffer(bytes));
        }

        private synchronized void record(Buffer to, Buffer data) {
            to.appendBuffer(data);
        }
    }

    private final NetServer server;
    private final NetClient client;
    private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
    private final List<Connection> recorded = new CopyOnWriteArrayList<>();

    private TcpProxy(Vertx vertx, int targetPort, boolean record) {
        client = vertx.createNetClient();
        server = vertx.createNetServer().connectHandler(in -> {
            in.pause();
            client.connect(targetPort, "127.0.0.1").onSuccess(out -> {
                sockets.add(in);
                sockets.add(out);
                in.closeHandler(v -> sockets.remove(in));
                out.closeHandler(v -> sockets.remove(out));
                if (record) {
                    Connection c = new Connection(out);
                    recorded.add(c);
                    in.handler(data -> {
                        c.record(c.sent, data);
                        out.write(data);
                    });
                    out.handler(data -> {
                        c.record(c.received, data);
                        in.write(data);
                    });
                    in.resume();
                } else {
                    in.pipeTo(out);
                    out.pipeTo(in);
                }
            }).onFailure(e -> in.close());
        });
    }

    public static TcpProxy start(Vertx vertx, int targetPort) {
        return listen(new TcpProxy(vertx, targetPort, false));
    }

    /** A proxy that records every connection (without flow control: for small test exchanges). */
    public static TcpProxy recording(Vertx vertx, int targetPort) {
        return listen(new TcpProxy(vertx, targetPort, true));
    }

    private static TcpProxy listen(TcpProxy proxy) {
        TestRelay.await(proxy.server.listen(0, "127.0.0.1"));
        return proxy;
    }

    public List<Connection> connections() {
        return List.copyOf(recorded);
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
