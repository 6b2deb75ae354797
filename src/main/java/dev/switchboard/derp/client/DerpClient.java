package dev.switchboard.derp.client;

import dev.switchboard.derp.ClientInfo;
import dev.switchboard.derp.DerpLimits;
import dev.switchboard.derp.DerpProtocolException;
import dev.switchboard.derp.Frame;
import dev.switchboard.derp.FrameLimits;
import dev.switchboard.derp.FrameReader;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.Handshake;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.PeerGoneReason;
import dev.switchboard.derp.ServerInfo;
import dev.switchboard.derp.DerpConnection;
import dev.switchboard.derp.link.NetSocketConnection;
import dev.switchboard.derp.link.WebSocketConnection;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An asynchronous DERP client on Vert.x: HTTP upgrade (optionally fast start) or WebSocket, the handshake, and
 * every frame a regular client or mesh peer sends. Used by tests, the mesh and the CLI tools.
 *
 * <p>Event-loop confined: all state lives on the connection's context; public methods may be called from any
 * thread and hop onto it. Writes are flushed once per event-loop turn, so a burst of sends is one system call.
 */
public final class DerpClient {
    private static final int MAX_RESPONSE_HEAD_BYTES = 8192;

    private final DerpClientOptions options;
    private final Context context;
    private final Runnable closeTransport;
    private final FrameReader reader = new FrameReader(FrameLimits.CLIENT);
    private final Promise<DerpClient> connected = Promise.promise();
    private final Promise<Void> closed = Promise.promise();
    private final Map<Long, Promise<Void>> pendingPings = new HashMap<>();
    private DerpConnection connection;
    private Buffer responseHead;
    private NodeKey serverKey;
    private ServerInfo serverInfo;
    private Handler<DerpMessage> messageHandler = m -> {
    };
    private boolean flushScheduled;

    private DerpClient(DerpClientOptions options, Context context, Runnable closeTransport) {
        this.options = options;
        this.context = context;
        this.closeTransport = closeTransport;
    }

    /** Connects on the caller's context (or, off Vert.x, the thread's sticky one); see {@link #connect(Vertx, Context, DerpClientOptions)}. */
    public static Future<DerpClient> connect(Vertx vertx, DerpClientOptions options) {
        return connect(vertx, vertx.getOrCreateContext(), options);
    }

    /** Connects on {@code context}'s event loop and completes once ServerInfo has been received and opened. */
    public static Future<DerpClient> connect(Vertx vertx, Context context, DerpClientOptions options) {
        Promise<DerpClient> result = Promise.promise();
        context.runOnContext(v -> (options.webSocket() ? connectWebSocket(vertx, options, context)
                : connectUpgrade(vertx, options, context)).onComplete(result));
        return result.future();
    }

    private static Future<DerpClient> connectUpgrade(Vertx vertx, DerpClientOptions options, Context context) {
        NetClientOptions netOptions = new NetClientOptions()
                .setSsl(options.tls()).setTrustAll(options.trustAll())
                .setHostnameVerificationAlgorithm(options.trustAll() ? "" : "HTTPS")
                .setConnectTimeout((int) options.connectTimeout().toMillis()).setTcpNoDelay(true);
        options.trustPem().ifPresent(pem -> netOptions.setTrustOptions(new PemTrustOptions().addCertPath(pem.toString())));
        NetClient net = vertx.createNetClient(netOptions);
        return net.connect(options.port(), options.url().getHost(), options.url().getHost()).compose(socket -> {
            DerpClient client = new DerpClient(options, context, net::close);
            client.responseHead = Buffer.buffer();
            client.attach(new NetSocketConnection(socket, context));
            Buffer request = client.upgradeRequest();
            options.serverKey().ifPresent(key -> {
                // Fast start: like Tailscale's client, head and ClientInfo leave in one write.
                client.serverKey = key;
                client.responseHead = null;
                request.appendBuffer(Frames.clientInfo(options.privateKey(), key, client.clientInfo()));
            });
            client.connection.write(request);
            client.connection.flush();
            return client.withTimeout(vertx);
        }, failure -> {
            net.close();
            return Future.failedFuture(failure);
        });
    }

    private static Future<DerpClient> connectWebSocket(Vertx vertx, DerpClientOptions options, Context context) {
        WebSocketClientOptions wsOptions = new WebSocketClientOptions()
                .setSsl(options.tls()).setTrustAll(options.trustAll()).setVerifyHost(!options.trustAll())
                .setConnectTimeout((int) options.connectTimeout().toMillis())
                .setMaxFrameSize(DerpLimits.MAX_SERVER_FRAME_LEN).setMaxMessageSize(2 * DerpLimits.MAX_SERVER_FRAME_LEN);
        options.trustPem().ifPresent(pem -> wsOptions.setTrustOptions(new PemTrustOptions().addCertPath(pem.toString())));
        WebSocketClient ws = vertx.createWebSocketClient(wsOptions);
        WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost(options.url().getHost())
                .setPort(options.port()).setSsl(options.tls()).setURI(options.url().getRawPath())
                .addSubProtocol("derp");
        return ws.connect(connect).compose(socket -> {
            DerpClient client = new DerpClient(options, context, ws::close);
            client.attach(new WebSocketConnection(socket, context));
            return client.withTimeout(vertx);
        }, failure -> {
            ws.close();
            return Future.failedFuture(failure);
        });
    }

    private Future<DerpClient> withTimeout(Vertx vertx) {
        long timer = vertx.setTimer(options.connectTimeout().toMillis(),
                id -> fail(new DerpProtocolException("handshake_timeout", "DERP handshake timed out")));
        return connected.future().onComplete(r -> vertx.cancelTimer(timer));
    }

    private void attach(DerpConnection transport) {
        this.connection = transport;
        transport.handler(this::onData);
        transport.closeHandler(v -> {
            closed.tryComplete();
            connected.tryFail("connection closed during DERP handshake");
            pendingPings.values().forEach(p -> p.tryFail("connection closed"));
            pendingPings.clear();
            closeTransport.run();
        });
    }

    private Buffer upgradeRequest() {
        StringBuilder head = new StringBuilder("GET ").append(options.url().getRawPath()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(options.url().getHost()).append(':').append(options.port()).append("\r\n")
                .append("User-Agent: switchboard-derp-client\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Upgrade: DERP\r\n");
        if (options.serverKey().isPresent()) {
            head.append("Derp-Fast-Start: 1\r\n");
        }
        options.idealNode().ifPresent(node -> head.append("Ideal-Node: ").append(node).append("\r\n"));
        return Buffer.buffer(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    }

    private ClientInfo clientInfo() {
        return options.meshKey().map(ClientInfo::mesh).orElseGet(ClientInfo::regular);
    }

    // ---- receiving --------------------------------------------------------------------------------------------

    private void onData(Buffer chunk) {
        try {
            if (responseHead != null) {
                chunk = consumeResponseHead(chunk);
                if (chunk == null) {
                    return;
                }
            }
            reader.append(chunk);
            Frame frame;
            while ((frame = reader.poll()) != null) {
                handleFrame(frame);
            }
            reader.detach();
        } catch (DerpProtocolException e) {
            fail(e);
        }
    }

    /** Buffers the HTTP response until its blank line; returns the bytes after it, or null if incomplete. */
    private Buffer consumeResponseHead(Buffer chunk) throws DerpProtocolException {
        responseHead.appendBuffer(chunk);
        String text = responseHead.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            if (responseHead.length() > MAX_RESPONSE_HEAD_BYTES) {
                throw new DerpProtocolException("bad_response", "HTTP response head too long");
            }
            return null;
        }
        if (!text.startsWith("HTTP/1.1 101")) {
            throw new DerpProtocolException("bad_response",
                    "DERP upgrade refused: " + text.substring(0, text.indexOf("\r\n")) + ": " + text.substring(end + 4));
        }
        Buffer rest = responseHead.getBuffer(end + 4, responseHead.length());
        responseHead = null;
        return rest;
    }

    private void handleFrame(Frame frame) throws DerpProtocolException {
        Buffer payload = frame.payload();
        switch (frame.type()) {
            case SERVER_KEY -> handleServerKey(payload);
            case SERVER_INFO -> {
                serverInfo = Handshake.openServerInfo(options.privateKey(), serverKey, payload);
                connected.tryComplete(this);
            }
            case RECV_PACKET -> {
                if (payload.length() >= DerpLimits.KEY_LEN) {
                    // A copy: the read buffer is recycled after this call, the message may be kept.
                    emit(new DerpMessage.ReceivedPacket(NodeKey.read(payload, 0),
                            payload.getBuffer(DerpLimits.KEY_LEN, payload.length())));
                }
            }
            case PEER_GONE -> handlePeerGone(payload);
            case PEER_PRESENT -> handlePeerPresent(payload);
            case KEEP_ALIVE -> emit(new DerpMessage.KeepAlive());
            case PING -> handleServerPing(payload);
            case PONG -> handlePong(payload);
            case HEALTH -> emit(new DerpMessage.Health(payload.toString(StandardCharsets.UTF_8)));
            case RESTARTING -> {
                if (payload.length() >= DerpLimits.RESTARTING_LEN) {
                    emit(new DerpMessage.Restarting(payload.getUnsignedInt(0), payload.getUnsignedInt(4)));
                }
            }
            default -> {
            }
        }
    }

    private void handleServerKey(Buffer payload) throws DerpProtocolException {
        NodeKey announced = Handshake.parseServerKey(payload);
        if (serverKey != null) {
            return; // fast start: ClientInfo already went out with the request
        }
        serverKey = announced;
        connection.write(Frames.clientInfo(options.privateKey(), serverKey, clientInfo()));
        connection.flush();
    }

    private void handlePeerGone(Buffer payload) {
        if (payload.length() < DerpLimits.KEY_LEN) {
            return;
        }
        PeerGoneReason reason = payload.length() > DerpLimits.KEY_LEN
                ? PeerGoneReason.fromCode(payload.getUnsignedByte(DerpLimits.KEY_LEN))
                : PeerGoneReason.DISCONNECTED;
        emit(new DerpMessage.PeerGone(NodeKey.read(payload, 0), reason));
    }

    private void handlePeerPresent(Buffer payload) {
        if (payload.length() < DerpLimits.KEY_LEN) {
            return;
        }
        InetSocketAddress address = null;
        int flags = 0;
        if (payload.length() >= DerpLimits.KEY_LEN + 18) {
            address = unmap(payload.getBytes(DerpLimits.KEY_LEN, DerpLimits.KEY_LEN + 16),
                    payload.getUnsignedShort(DerpLimits.KEY_LEN + 16));
        }
        if (payload.length() >= DerpLimits.PEER_PRESENT_LEN) {
            flags = payload.getUnsignedByte(DerpLimits.PEER_PRESENT_LEN - 1);
        }
        emit(new DerpMessage.PeerPresent(NodeKey.read(payload, 0), address, flags));
    }

    private static InetSocketAddress unmap(byte[] ip16, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip16), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private void handleServerPing(Buffer payload) {
        if (payload.length() >= DerpLimits.PING_DATA_LEN) {
            Buffer data = payload.getBuffer(0, DerpLimits.PING_DATA_LEN);
            write(Frames.pong(data));
            emit(new DerpMessage.ServerPing(data));
        }
    }

    private void handlePong(Buffer payload) {
        if (payload.length() >= DerpLimits.PING_DATA_LEN) {
            Promise<Void> waiting = pendingPings.remove(payload.getLong(0));
            if (waiting != null) {
                waiting.tryComplete();
            }
        }
    }

    private void emit(DerpMessage message) {
        messageHandler.handle(message);
    }

    private void fail(Throwable cause) {
        connected.tryFail(cause);
        closed.tryFail(cause);
        connection.close();
    }

    // ---- sending ----------------------------------------------------------------------------------------------

    /** Receives every message after the handshake, on the client's context. */
    public DerpClient messageHandler(Handler<DerpMessage> handler) {
        this.messageHandler = handler;
        return this;
    }

    public DerpClient send(NodeKey destination, Buffer packet) {
        return write(Frames.sendPacket(destination, packet));
    }

    /** ForwardPacket (mesh peers): deliver {@code packet} from {@code source} to a client of the server. */
    public DerpClient forward(NodeKey source, NodeKey destination, Buffer packet) {
        return write(Frames.forwardPacket(source, destination, packet));
    }

    public DerpClient notePreferred(boolean preferred) {
        return write(Frames.notePreferred(preferred));
    }

    public DerpClient watchConns() {
        return write(Frames.watchConns());
    }

    public DerpClient closePeer(NodeKey peer) {
        return write(Frames.closePeer(peer));
    }

    /** Sends a Ping with random data; completes when the matching Pong arrives. */
    public Future<Void> ping() {
        Promise<Void> pong = Promise.promise();
        context.runOnContext(v -> {
            long data = ThreadLocalRandom.current().nextLong();
            pendingPings.put(data, pong);
            write(Frames.ping(Buffer.buffer(8).appendLong(data)));
        });
        return pong.future();
    }

    /** Writes any bytes; tests use it to send malformed frames. */
    public DerpClient write(Buffer bytes) {
        if (Vertx.currentContext() == context) {
            connection.write(bytes);
            scheduleFlush();
        } else {
            context.runOnContext(v -> write(bytes));
        }
        return this;
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            context.runOnContext(v -> {
                flushScheduled = false;
                connection.flush();
            });
        }
    }

    /** True while the socket's outbound buffer is full; call on the client's context. */
    public boolean writeQueueFull() {
        return connection.writeQueueFull();
    }

    public void drainHandler(Handler<Void> handler) {
        connection.drainHandler(handler);
    }

    public NodeKey serverKey() {
        return serverKey;
    }

    public ServerInfo serverInfo() {
        return serverInfo;
    }

    public NodeKey publicKey() {
        return options.privateKey().publicKey();
    }

    public Context context() {
        return context;
    }

    /** Completes when the connection closes (fails if it closed because of a protocol error). */
    public Future<Void> closeFuture() {
        return closed.future();
    }

    public Future<Void> close() {
        context.runOnContext(v -> connection.close());
        return closed.future().recover(e -> Future.succeededFuture());
    }
}
