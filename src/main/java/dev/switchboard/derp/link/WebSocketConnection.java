package dev.switchboard.derp.link;

import dev.switchboard.derp.DerpConnection;
import io.netty.buffer.ByteBuf;
import io.netty.util.NetUtil;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrameType;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A DERP byte stream carried in binary WebSocket messages (Tailscale's `cmd/derper/websocket.go`, `derp/derphttp/websocket.go`). Message boundaries mean nothing:
 * incoming messages are concatenated, and each flush sends what was written since the last one, split into
 * messages of at most {@link #MAX_MESSAGE_BYTES} so that clients with a small read limit cope. A text message is a
 * protocol error (close 1003).
 */
public final class WebSocketConnection implements DerpConnection {
    /** The smallest default read limit among WebSocket libraries Coder clients use (nhooyr: 32 KiB). */
    static final int MAX_MESSAGE_BYTES = 32 * 1024;
    private static final System.Logger LOG = System.getLogger(WebSocketConnection.class.getName());

    private final WebSocketBase webSocket;
    private final Context context;
    private Buffer pending = Buffer.buffer();

    public WebSocketConnection(WebSocketBase webSocket, Context context) {
        this.webSocket = webSocket;
        this.context = context;
        // As NetSocketConnection: a reset is a close, not an ERROR line.
        webSocket.exceptionHandler(error -> LOG.log(System.Logger.Level.DEBUG, "DERP over WebSocket {0}: {1}",
                webSocket.remoteAddress(), error.toString()));
    }

    @Override
    public Context context() {
        return context;
    }

    @Override
    public void handler(Handler<Buffer> handler) {
        webSocket.frameHandler(frame -> {
            if (frame.type() == WebSocketFrameType.TEXT) {
                webSocket.close((short) 1003, "DERP over WebSocket takes binary messages only");
            } else if (frame.isBinary() || frame.isContinuation()) {
                handler.handle(frame.binaryData());
            }
        });
    }

    @Override
    public void closeHandler(Handler<Void> handler) {
        webSocket.closeHandler(handler);
    }

    @Override
    public void write(Buffer bytes) {
        pending.appendBuffer(bytes);
    }

    @Override
    public void write(ByteBuf frame) {
        try {
            pending.appendBuffer(Buffer.buffer(frame));
        } finally {
            frame.release();
        }
    }

    @Override
    public void flush() {
        Buffer batch = pending;
        pending = Buffer.buffer();
        for (int offset = 0; offset < batch.length(); offset += MAX_MESSAGE_BYTES) {
            webSocket.writeBinaryMessage(batch.slice(offset, Math.min(batch.length(), offset + MAX_MESSAGE_BYTES)));
        }
    }

    @Override
    public boolean writeQueueFull() {
        return webSocket.writeQueueFull();
    }

    @Override
    public void drainHandler(Handler<Void> handler) {
        webSocket.drainHandler(handler);
    }

    @Override
    public void pause() {
        webSocket.pause();
    }

    @Override
    public void resume() {
        webSocket.resume();
    }

    @Override
    public void close() {
        webSocket.close();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        io.vertx.core.net.SocketAddress address = webSocket.remoteAddress();
        if (address == null || address.host() == null) {
            return null;
        }
        byte[] raw = NetUtil.createByteArrayFromIpAddressString(address.host());
        try {
            return raw == null ? null : new InetSocketAddress(InetAddress.getByAddress(raw), address.port());
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
