package dev.switchboard.http;

import dev.switchboard.vertx.VertxInternals;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;

import java.util.function.LongConsumer;

/**
 * Reassembles a server WebSocket's messages from its frames with a per-message byte limit smaller than the listener's.
 *
 * <p>Why not {@code binaryMessageHandler}: Vert.x's {@code WebSocketImplBase} aggregates messages up to the listener's
 * {@code maxWebSocketMessageSize} (512 KiB here, which DERP over WebSocket needs) before our handler sees a byte, and a
 * bigger message fails the connection inside Vert.x, so the client gets no error and a 1006 instead of 1009. Counting
 * bytes per frame here detects an oversized message at the first frame that crosses the limit, having buffered at most
 * the limit; the frames that follow, up to the end of that message and after it, are read and dropped. Reading on is
 * what makes the close clean: the caller closes with 1009 (RFC 6455 §7.4.1, "message too big"), and Vert.x keeps the
 * TCP connection open until the peer's close frame or {@code HttpServerOptions#getWebSocketClosingTimeout} expires, so
 * a client still writing the rest of its message finishes, reads our error and close frame, and answers, instead of
 * being reset by a server that closed with its data unread.
 *
 * <p>A single frame bigger than {@code maxBytes} never reaches Vert.x: {@link OversizedFrameGuard}, ahead of Netty's
 * frame decoder, drops it (and the rest of its message) from its header on, unbuffered, and reports it here, so it
 * ends the same way. Per connection the server holds at most the message being reassembled here ({@code maxBytes})
 * plus one frame of at most that size in Netty's decoder.
 */
public final class BoundedWebSocketMessages {
    private final int maxBytes;
    private final Handler<Buffer> binary;
    private final Handler<String> text;
    private final LongConsumer oversized;
    private Buffer message;
    private boolean messageIsText;
    private long messageBytes;
    private boolean discarding;

    private BoundedWebSocketMessages(int maxBytes, Handler<Buffer> binary, Handler<String> text, LongConsumer oversized) {
        this.maxBytes = maxBytes;
        this.binary = binary;
        this.text = text;
        this.oversized = oversized;
    }

    /**
     * Installs the frame handler: complete messages of at most {@code maxBytes} go to {@code binary} or {@code text};
     * the first message that grows past it calls {@code oversized} once with the bytes seen so far (more than
     * {@code maxBytes}, not the message's full size), after which every data frame is dropped.
     */
    public static void install(HttpServerRequest upgraded, ServerWebSocket ws, int maxBytes, Handler<Buffer> binary,
                               Handler<String> text, LongConsumer oversized) {
        BoundedWebSocketMessages messages = new BoundedWebSocketMessages(maxBytes, binary, text, oversized);
        ws.frameHandler(messages::onFrame);
        ChannelPipeline pipeline = VertxInternals.channel(upgraded.connection()).pipeline();
        ChannelHandlerContext decoder = pipeline.context(WebSocketFrameDecoder.class);
        if (decoder != null) { // installed by the upgrade that just completed, before the next read
            pipeline.addBefore(decoder.name(), "switchboard-oversized-frames",
                    new OversizedFrameGuard(maxBytes, messages::frameTooBig));
        }
    }

    /** {@link OversizedFrameGuard} dropped a frame of {@code declared} payload bytes, unread. */
    private void frameTooBig(long declared) {
        if (!discarding) {
            discarding = true;
            message = null;
            oversized.accept(messageBytes + declared);
        }
    }

    private void onFrame(WebSocketFrame frame) {
        if (!(frame.isBinary() || frame.isText() || frame.isContinuation())) {
            return; // ping, pong and close are Vert.x's
        }
        if (discarding) {
            return;
        }
        if (!frame.isContinuation()) {
            message = null;
            messageBytes = 0;
            messageIsText = frame.isText();
        }
        Buffer data = frame.binaryData();
        messageBytes += data.length();
        if (messageBytes > maxBytes) {
            discarding = true;
            message = null;
            oversized.accept(messageBytes);
            return;
        }
        if (frame.isFinal() && message == null) {
            deliver(data); // the usual single-frame message: no copy
            return;
        }
        if (message == null) {
            message = Buffer.buffer((int) messageBytes);
        }
        message.appendBuffer(data);
        if (frame.isFinal()) {
            Buffer complete = message;
            message = null;
            deliver(complete);
        }
    }

    private void deliver(Buffer complete) {
        if (messageIsText) {
            text.handle(complete.toString());
        } else {
            binary.handle(complete);
        }
    }
}
