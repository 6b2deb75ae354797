package dev.switchboard.tailnet.forward;

import dev.switchboard.tailnet.engine.Engine;
import dev.switchboard.tailnet.tcp.TcpListener;
import dev.switchboard.tailnet.tcp.TcpSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.streams.Pipe;

import java.time.Duration;

/**
 * The agent's side of {@code coder port-forward}: every tunnel connection to an allowed port of the agent's address
 * is carried to {@code 127.0.0.1:<that port>} in the workspace (coder/coder {@code agent/agent.go}, whose tailnet
 * forwards any TCP port to localhost; Tailscale {@code wgengine/netstack} {@code forwardTCP}). A port outside
 * {@code allowed} draws the RST of a closed port; one nothing listens on locally is reset once the dial fails
 * (Tailscale dials before finishing the handshake; here the tunnel connection is already up, so the peer sees a
 * reset instead of a refused SYN).
 */
public final class AgentForwarder {
    /** How long the workspace-side dial may take (a local port either answers or refuses at once). */
    static final Duration DIAL_TIMEOUT = Duration.ofSeconds(5);

    private AgentForwarder() {
    }

    /** Starts forwarding on the engine's loop; the listener stops it. */
    public static Future<TcpListener> start(Vertx vertx, Engine engine, PortRanges allowed) {
        NetClient client = vertx.createNetClient(new NetClientOptions()
                .setConnectTimeout((int) DIAL_TIMEOUT.toMillis()).setTcpNoDelay(true));
        return engine.listenAll(allowed, tunnel -> forward(client, tunnel));
    }

    /** On the engine's loop, so the dialled socket lives there too. */
    private static void forward(NetClient client, TcpSocket tunnel) {
        Pipe<Buffer> fromTunnel = tunnel.pipe();
        client.connect(tunnel.localPort(), "127.0.0.1").onComplete(dialled -> {
            if (dialled.succeeded()) {
                Splice.join(dialled.result(), dialled.result().pipe(), tunnel, fromTunnel);
            } else {
                fromTunnel.close();
                tunnel.reset();
            }
        });
    }
}
