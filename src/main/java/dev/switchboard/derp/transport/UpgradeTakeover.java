package dev.switchboard.derp.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.NetSocketImpl;
import io.vertx.core.net.impl.VertxHandler;

import java.util.List;

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
 * <p>The one place that touches Vert.x internals (pipeline names {@code handler}, {@code httpDecoder},
 * {@code httpEncoder}, as {@code Http1xServerConnection.netSocket} uses them); the fast-start tests guard it.
 */
final class UpgradeTakeover {
    private UpgradeTakeover() {
    }

    /** Replaces the HTTP connection handler with a raw socket; call before the request handler returns. */
    static NetSocketImpl takeOver(HttpServerRequest request) {
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
