package dev.switchboard.vertx;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.BufferImpl;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.NetSocketImpl;
import io.vertx.core.net.impl.NetSocketInternal;
import io.vertx.core.net.impl.VertxHandler;

import java.util.ArrayList;
import java.util.List;

/**
 * The only class that touches Vert.x internals ({@code io.vertx.core.impl}, {@code io.vertx.core.net.impl}); an
 * architecture test fails if another one does. Each method is a capability the public API lacks and the hot path
 * needs: Netty's pooled read buffers and unflushed writes on a socket, pausing reads at the channel, event-loop
 * contexts and channels of Vert.x's own transport, and taking over an HTTP connection inside its request handler.
 * A Vert.x upgrade that moves these breaks here and in the tests that use them, nowhere else.
 */
public final class VertxInternals {
    private VertxInternals() {
    }

    /** The socket's Netty channel context: writes through it skip Vert.x's per-write flush. */
    public static ChannelHandlerContext channel(NetSocket socket) {
        return ((NetSocketInternal) socket).channelHandlerContext();
    }

    /**
     * The Netty buffer under a Vert.x one, itself: {@code Buffer.getByteBuf()} wraps it in a new slice (and an
     * unreleasable wrapper when direct) on every call, which the relay would pay per packet. Read it only; the caller
     * must not release it or move its indexes.
     */
    public static ByteBuf byteBuf(Buffer buffer) {
        return ((BufferImpl) buffer).byteBuf();
    }

    /** The Netty channel under an HTTP connection (HTTP/1.x and HTTP/2 alike). */
    public static io.netty.channel.Channel channel(io.vertx.core.http.HttpConnection connection) {
        return ((ConnectionBase) connection).channelHandlerContext().channel();
    }

    /**
     * Calls {@code onAccept} with every connection the listener that accepted {@code accepted} accepts from now on,
     * before Vert.x initialises its pipeline: a handler added first then sees the connection from its first byte.
     * A connection {@code onAccept} refuses (false) is closed there and never reaches Vert.x. Installs itself once per
     * listener (the channel's parent); later calls for the same listener do nothing.
     */
    public static void onAccept(io.netty.channel.Channel accepted, String name,
                                java.util.function.Predicate<io.netty.channel.Channel> onAccept) {
        io.netty.channel.Channel listener = accepted.parent();
        if (listener == null || listener.pipeline().get(name) != null) {
            return; // the common case after the first request: no task for the accepting loop
        }
        listener.eventLoop().execute(() -> {
            if (listener.pipeline().get(name) == null) {
                listener.pipeline().addFirst(name, new AcceptHook(onAccept));
            }
        });
    }

    /**
     * Sees each accepted child channel on its way to Netty's ServerBootstrapAcceptor. A refused one is closed before
     * registration and not passed on: registering a closed channel would fail and log a warning per connection.
     */
    private static final class AcceptHook extends io.netty.channel.ChannelInboundHandlerAdapter {
        private final java.util.function.Predicate<io.netty.channel.Channel> onAccept;

        AcceptHook(java.util.function.Predicate<io.netty.channel.Channel> onAccept) {
            this.onAccept = onAccept;
        }

        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof io.netty.channel.Channel child && !onAccept.test(child)) {
                child.unsafe().closeForcibly();
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** The context (event loop) the socket's handlers run on. */
    public static Context context(NetSocket socket) {
        return ((ConnectionBase) socket).getContext();
    }

    /** Receives the socket's reads as Netty messages (pooled {@code ByteBuf}s the handler must release). */
    public static void messageHandler(NetSocket socket, Handler<Object> handler) {
        ((NetSocketInternal) socket).messageHandler(handler);
    }

    /** Stops reading at the channel (auto-read off), so TCP flow control slows the peer. */
    public static void pauseReading(NetSocket socket) {
        ((ConnectionBase) socket).doPause();
    }

    public static void resumeReading(NetSocket socket) {
        ((ConnectionBase) socket).doResume();
    }

    /**
     * A new event-loop context, taking the loops in turn. Off Vert.x, {@code getOrCreateContext} hands the calling
     * thread one sticky context, which would put every client of a load run on a single loop (one core).
     */
    public static Context newEventLoopContext(Vertx vertx) {
        return ((VertxInternal) vertx).createEventLoopContext();
    }

    /** The event loop under an event-loop context: a channel registered there runs confined with that context. */
    public static EventLoop eventLoop(Context context) {
        return ((ContextInternal) context).nettyEventLoop();
    }

    /**
     * Runs {@code handler} with {@code context} as the current context, from a Netty handler on that context's loop:
     * without it, what the handler starts ({@code setTimer}, {@code runOnContext} of the current context) would land
     * on whatever context Vert.x finds for the thread, possibly another loop's.
     */
    public static <T> void emit(Context context, T argument, Handler<T> handler) {
        ((ContextInternal) context).emit(argument, handler);
    }

    /** The event loop of a new context, for a channel registered outside Vert.x's own servers. */
    public static EventLoop newEventLoop(Vertx vertx) {
        return ((VertxInternal) vertx).createEventLoopContext().nettyEventLoop();
    }

    /** An unregistered UDP channel of the transport Vert.x runs on (epoll when native transport is on). */
    public static DatagramChannel datagramChannel(Vertx vertx, InternetProtocolFamily family) {
        return ((VertxInternal) vertx).transport().datagramChannel(family);
    }

    /** Every event loop of this Vert.x instance. */
    public static List<EventExecutor> eventLoops(Vertx vertx) {
        List<EventExecutor> loops = new ArrayList<>();
        ((VertxInternal) vertx).getEventLoopGroup().forEach(loops::add);
        return loops;
    }

    /**
     * Turns an HTTP/1.1 request's connection into a raw {@link NetSocketImpl} <em>inside</em> the request handler,
     * keeping the bytes that arrived in the same TCP segment as the request head (a fast-start ClientInfo).
     *
     * <p>Why not {@code HttpServerRequest.toNetSocket()}: it removes the HTTP codec in a later event-loop task, and in
     * between Netty's decoder parses the bytes after the head as a second request, so they are lost
     * (seen with Vert.x 4 under Quarkus 3.33). Here the connection handler is replaced at once, and the request decoder is removed when
     * the request's {@link LastHttpContent} reaches the new socket: that happens while the decoder is still handing
     * out the messages of the current read, before it parses further, so its unread bytes are forwarded intact. Doing
     * it earlier would route them through Vert.x's {@code h2c} handler, which drops them until it removes itself
     * after the request.
     *
     * <p>The HTTP idle timeout goes too: DERP keepalives count as activity, so it would never fire, yet it costs a
     * promise and a listener on every write. Write timeouts and keepalives cover a dead peer.
     *
     * <p>Relies on the pipeline names {@code handler}, {@code httpDecoder} and {@code httpEncoder}, as
     * {@code Http1xServerConnection.netSocket} uses them; the DERP fast-start tests guard it. Call before the request handler returns.
     */
    public static NetSocket takeOver(HttpServerRequest request) {
        ConnectionBase http = (ConnectionBase) request.connection();
        ChannelPipeline pipeline = http.channelHandlerContext().pipeline();
        for (Class<? extends ChannelHandler> optional :
                List.of(WebSocketServerExtensionHandler.class, HttpContentCompressor.class, IdleStateHandler.class)) {
            if (pipeline.get(optional) != null) {
                pipeline.remove(optional);
            }
        }
        if (pipeline.get("chunkedWriter") != null) {
            pipeline.remove("chunkedWriter");
        }
        ContextInternal context = http.getContext();
        VertxHandler<NetSocketImpl> handler = VertxHandler.create(ctx -> new UpgradedSocket(context, ctx));
        pipeline.replace("handler", "handler", handler);
        pipeline.remove("httpEncoder");
        if (request.isEnded()) {
            releaseBufferedBytes(pipeline);
        }
        return handler.getConnection();
    }

    private static void releaseBufferedBytes(ChannelPipeline pipeline) {
        if (pipeline.get("httpDecoder") != null) {
            pipeline.remove("httpDecoder");
        }
    }

    /** A raw socket that drops the request's trailing HTTP messages and frees the decoder's bytes after the last. */
    private static final class UpgradedSocket extends NetSocketImpl {
        private final ChannelHandlerContext channel;

        UpgradedSocket(ContextInternal context, ChannelHandlerContext channel) {
            super(context, channel, null, null, false);
            this.channel = channel;
        }

        @Override
        public void handleMessage(Object msg) {
            if (msg instanceof HttpContent content) {
                content.release();
                if (msg instanceof LastHttpContent) {
                    releaseBufferedBytes(channel.pipeline());
                }
                return;
            }
            super.handleMessage(msg);
        }
    }
}
