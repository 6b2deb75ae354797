package dev.switchboard.derp.link;

import dev.switchboard.derp.DerpConnection;
import dev.switchboard.vertx.VertxInternals;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A DERP session over a raw TCP (or TLS) socket. Reads hand over Netty's pooled buffer itself (Vert.x's data handler
 * would copy every read onto the heap); the handler must be done with it when it returns. Pausing stops reading at
 * the socket, so TCP slows the peer. Writes go to the channel without flushing so the session's writer can batch a
 * burst into one flush; Vert.x's {@code write} would flush every frame.
 */
public final class NetSocketConnection implements DerpConnection {
    private static final System.Logger LOG = System.getLogger(NetSocketConnection.class.getName());

    private final NetSocket socket;
    private final ChannelHandlerContext channel;
    private final Context context;

    public NetSocketConnection(NetSocket socket, Context context) {
        this.socket = socket;
        this.channel = VertxInternals.channel(socket);
        this.context = context;
        // A reset ends the connection and the close handler follows; without a handler Vert.x would log each one
        // at ERROR: a line for every client whose network vanished.
        socket.exceptionHandler(error -> LOG.log(System.Logger.Level.DEBUG, "DERP connection {0}: {1}",
                socket.remoteAddress(), error.toString()));
    }

    @Override
    public Context context() {
        return context;
    }

    @Override
    public void handler(Handler<Buffer> handler) {
        VertxInternals.messageHandler(socket, message -> {
            if (message instanceof ByteBuf bytes) {
                try {
                    // Vert.x Buffers index from 0: a read buffer that does not gets a slice (Netty's reads do start at
                    // 0, so the per-read slice object is skipped).
                    handler.handle(Buffer.buffer(bytes.readerIndex() == 0 ? bytes : bytes.slice()));
                } finally {
                    bytes.release();
                }
            } else {
                ReferenceCountUtil.release(message);
            }
        });
    }

    @Override
    public void closeHandler(Handler<Void> handler) {
        socket.closeHandler(handler);
    }

    @Override
    public void write(Buffer bytes) {
        write(bytes.getByteBuf());
    }

    @Override
    public void write(ByteBuf frame) {
        channel.write(frame, channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public boolean writeQueueFull() {
        return socket.writeQueueFull();
    }

    @Override
    public void drainHandler(Handler<Void> handler) {
        socket.drainHandler(handler);
    }

    @Override
    public void pause() {
        VertxInternals.pauseReading(socket);
    }

    @Override
    public void resume() {
        VertxInternals.resumeReading(socket);
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        SocketAddress address = channel.channel().remoteAddress();
        return address instanceof InetSocketAddress inet ? inet : null;
    }
}
