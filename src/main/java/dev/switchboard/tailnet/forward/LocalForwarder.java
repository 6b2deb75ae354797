package dev.switchboard.tailnet.forward;

import dev.switchboard.tailnet.engine.Engine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.Pipe;

import java.util.UUID;

/**
 * The client's side of {@code coder port-forward --tcp LOCAL:REMOTE} (coder/coder {@code cli/portforward.go}): a
 * local listener whose every connection is carried over its own tunnel TCP connection to {@code REMOTE} on the
 * agent's address, which the agent forwards to {@code 127.0.0.1:REMOTE} in the workspace. A connection whose tunnel
 * cannot be opened is closed.
 */
public final class LocalForwarder {
    private LocalForwarder() {
    }

    /**
     * Listens on {@code host:port} from the engine's loop, so accepted connections share it with their tunnel
     * sockets; completes with the bound server (its actual port when {@code port} is 0).
     */
    public static Future<NetServer> start(Vertx vertx, Engine engine, UUID agent, String host, int port,
                                          int remotePort) {
        NetServer server = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true));
        server.connectHandler(local -> forward(engine, agent, remotePort, local));
        return Future.future(p -> engine.context().runOnContext(v -> server.listen(port, host).onComplete(p)));
    }

    private static void forward(Engine engine, UUID agent, int remotePort, NetSocket local) {
        Pipe<Buffer> fromLocal = local.pipe();
        engine.connect(agent, remotePort).onComplete(opened -> {
            if (opened.succeeded()) {
                Splice.join(local, fromLocal, opened.result(), opened.result().pipe());
            } else {
                fromLocal.close();
                local.close();
            }
        });
    }
}
