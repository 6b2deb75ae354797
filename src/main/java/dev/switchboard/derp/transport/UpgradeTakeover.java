package dev.switchboard.derp.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.NetSocketImpl;
import io.vertx.core.net.impl.VertxHandler;

/**
 * Turns an HTTP/1.1 request's connection into a raw {@link NetSocketImpl} <em>synchronously</em>, inside the
 * request handler, keeping the bytes that arrived in the same TCP segment as the request head.
 *
 * <p>Why not {@code HttpServerRequest.toNetSocket()}: it removes the HTTP codec in a later event-loop task, and in
 * between Netty's decoder goes on parsing the bytes after the head as a second request, so a fast-start
 * ClientInfo written with the head is lost (platform-notes.md). Removing the decoder while its decode loop is
 * delivering the request makes Netty hand the unread bytes to the next handler, which by then is ours.
 *
 * <p>This is the one place that touches Vert.x internals (pipeline handler names {@code handler},
 * {@code httpDecoder}, {@code httpEncoder}, as in {@code Http1xServerConnection.netSocket}); the fast-start
 * integration test guards it against Vert.x upgrades.
 */
final class UpgradeTakeover {
    private final ChannelPipeline pipeline;
    private final NetSocketImpl socket;

    private UpgradeTakeover(ChannelPipeline pipeline, NetSocketImpl socket) {
        this.pipeline = pipeline;
        this.socket = socket;
    }

    /**
     * Replaces the HTTP connection handler with a raw socket and removes the response encoder. Until
     * {@link #releaseBufferedBytes()} the request decoder stays, holding any bytes that followed the head.
     */
    static UpgradeTakeover begin(HttpServerRequest request) {
        ConnectionBase http = (ConnectionBase) request.connection();
        ChannelPipeline pipeline = http.channelHandlerContext().pipeline();
        for (Class<? extends ChannelHandler> optional : java.util.List.of(WebSocketServerExtensionHandler.class,
                io.netty.handler.codec.http.HttpContentCompressor.class)) {
            if (pipeline.get(optional) != null) {
                pipeline.remove(optional);
            }
        }
        if (pipeline.get("chunkedWriter") != null) {
            pipeline.remove("chunkedWriter");
        }
        VertxHandler<NetSocketImpl> handler = VertxHandler.create(
                ctx -> new NetSocketImpl(http.getContext(), ctx, null, null, false));
        pipeline.replace("handler", "handler", handler);
        pipeline.remove("httpEncoder");
        return new UpgradeTakeover(pipeline, handler.getConnection());
    }

    NetSocketImpl socket() {
        return socket;
    }

    /** Removes the request decoder; bytes it buffered after the head flow to the socket's handler now. */
    void releaseBufferedBytes() {
        pipeline.remove("httpDecoder");
    }
}
