package dev.switchboard.tailnet.forward;

import dev.switchboard.tailnet.tcp.TcpSocket;
import dev.switchboard.tailnet.tcp.TcpState;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.Pipe;

/**
 * Joins a kernel TCP connection (a Vert.x {@link NetSocket}) and a tunnel connection ({@link TcpSocket}) both ways
 * with Vert.x pipes, so each direction moves only as fast as its reader takes it: a full write queue pauses the
 * other side's reads, and for the tunnel that closes the advertised window. The end of one direction half-closes the
 * tunnel (a FIN after the queued bytes); Vert.x 4 has no half-close for a NetSocket, so the end of the tunnel's
 * direction closes the kernel connection. A failure either way aborts both: the tunnel with a RST. Both sockets must
 * live on the same event loop (the engine's: the listener or client was opened from it).
 */
final class Splice {
    private Splice() {
    }

    /**
     * Starts both pipes. Whichever side connected first had its pipe taken ({@code socket.pipe()}, which pauses it)
     * when it arrived, so nothing it sent while the other side was being dialled is lost.
     */
    static void join(NetSocket net, Pipe<Buffer> fromNet, TcpSocket tunnel, Pipe<Buffer> fromTunnel) {
        fromNet.to(tunnel).onFailure(e -> abort(net, tunnel));
        fromTunnel.to(net).onFailure(e -> abort(net, tunnel));
    }

    static void abort(NetSocket net, TcpSocket tunnel) {
        net.close();
        TcpState state = tunnel.connection().state();
        if (state != TcpState.CLOSED && state != TcpState.TIME_WAIT) {
            tunnel.reset();
        }
    }
}
