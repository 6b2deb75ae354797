package dev.switchboard.derp.client;

import dev.switchboard.derp.DerpProtocolException;
import dev.switchboard.derp.Frame;
import dev.switchboard.derp.FrameLimits;
import dev.switchboard.derp.FrameReader;
import dev.switchboard.derp.FrameType;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.ServerFrames;
import dev.switchboard.derp.ServerInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The receive half of a {@link DerpClient}: the HTTP response head, the handshake (ServerKey → ClientInfo,
 * ServerInfo), and the dispatch of every later server frame, decoded by {@link ServerFrames}, as a
 * {@link DerpMessage}. Mirrors Tailscale's {@code derp/derp_client.go} (recvServerKey, recvServerInfo, recvTimeout).
 */
final class DerpReceiver {
    private static final int MAX_RESPONSE_HEAD_BYTES = 8192;

    // Immutable.
    private final DerpClient client;
    private final NodePrivateKey privateKey;
    /** Completed on the event loop; any thread may wait on its future. */
    private final Promise<DerpClient> connected = Promise.promise();

    // Owned by the event loop.
    private final FrameReader reader = new FrameReader(FrameLimits.CLIENT);
    private final Map<Long, Promise<Void>> pendingPings = new HashMap<>();
    /** The HTTP response read so far; null once past its blank line, or when none comes (WebSocket, fast start). */
    private Buffer responseHead;

    // Written by the event loop during the handshake; read by any thread once connect() has completed.
    /** From the ServerKey frame, or known up front for fast start. */
    private volatile NodeKey serverKey;
    private volatile ServerInfo serverInfo;

    /**
     * @param awaitResponseHead whether an HTTP response head precedes the frames ({@code Upgrade: DERP} without fast
     *                          start; fast start and WebSocket have none to wait for)
     * @param knownServerKey    the server's key for fast start (ClientInfo already sent with the request), else null
     */
    DerpReceiver(DerpClient client, NodePrivateKey privateKey, boolean awaitResponseHead, NodeKey knownServerKey) {
        this.client = client;
        this.privateKey = privateKey;
        this.responseHead = awaitResponseHead ? Buffer.buffer() : null;
        this.serverKey = knownServerKey;
    }

    Future<DerpClient> connected() {
        return connected.future();
    }

    NodeKey serverKey() {
        return serverKey;
    }

    ServerInfo serverInfo() {
        return serverInfo;
    }

    /** Registers a Ping's data; its Pong completes {@code pong}. Event loop only. */
    void expectPong(long data, Promise<Void> pong) {
        pendingPings.put(data, pong);
    }

    void failed(Throwable cause) {
        connected.tryFail(cause);
    }

    /** The connection is gone: nothing pending will be answered. */
    void closed() {
        connected.tryFail("connection closed during DERP handshake");
        pendingPings.values().forEach(p -> p.tryFail("connection closed"));
        pendingPings.clear();
    }

    /** Handles one chunk from the connection; a protocol error closes it. */
    void onData(Buffer chunk) {
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
                handle(frame);
            }
            reader.detach();
        } catch (DerpProtocolException e) {
            client.fail(e);
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
            throw new DerpProtocolException(DerpClient.UPGRADE_REFUSED,
                    "DERP upgrade refused: " + text.substring(0, text.indexOf("\r\n")) + ": " + text.substring(end + 4));
        }
        Buffer rest = responseHead.getBuffer(end + 4, responseHead.length());
        responseHead = null;
        return rest;
    }

    /**
     * Decodes with the per-type {@link ServerFrames} decoders under an enum switch (a table jump) rather than a
     * pattern switch over {@link ServerFrames#decode}, which bootstraps an invokedynamic call site on the first packet
     * and tests types in turn on every one: this is the receive hot path.
     */
    private void handle(Frame frame) throws DerpProtocolException {
        Buffer payload = frame.payload();
        try {
            switch (frame.type()) {
                case SERVER_KEY -> onServerKey(ServerFrames.serverKey(payload));
                case SERVER_INFO -> onServerInfo(ServerFrames.serverInfo(payload));
                case RECV_PACKET -> {
                    // Copies: the read buffer is recycled after this call, a message may be kept.
                    ServerFrames.RecvPacket packet = ServerFrames.recvPacket(payload);
                    client.emit(new DerpMessage.ReceivedPacket(packet.source(), copyOf(packet.data())));
                }
                case PEER_GONE -> {
                    ServerFrames.PeerGone gone = ServerFrames.peerGone(payload);
                    client.emit(new DerpMessage.PeerGone(gone.peer(), gone.reason()));
                }
                case PEER_PRESENT -> {
                    ServerFrames.PeerPresent present = ServerFrames.peerPresent(payload);
                    client.emit(new DerpMessage.PeerPresent(present.peer(), present.endpoint(), present.flags()));
                }
                case KEEP_ALIVE -> client.emit(new DerpMessage.KeepAlive());
                case PING -> {
                    Buffer data = ServerFrames.ping(payload).data();
                    client.write(Frames.pong(data));
                    client.emit(new DerpMessage.ServerPing(copyOf(data)));
                }
                case PONG -> {
                    Promise<Void> waiting = pendingPings.remove(ServerFrames.pong(payload).data().getLong(0));
                    if (waiting != null) {
                        waiting.tryComplete();
                    }
                }
                case HEALTH -> client.emit(new DerpMessage.Health(ServerFrames.health(payload).problem()));
                case RESTARTING -> {
                    ServerFrames.Restarting restarting = ServerFrames.restarting(payload);
                    client.emit(new DerpMessage.Restarting(restarting.reconnectInMillis(), restarting.tryForMillis()));
                }
                default -> {
                    // a type a client does not act on: read past it, as derp_client.go does
                }
            }
        } catch (DerpProtocolException e) {
            if (frame.type() == FrameType.SERVER_KEY || frame.type() == FrameType.SERVER_INFO) {
                throw e; // a broken handshake ends the connection
            }
            // derp_client.go recvTimeout drops short frames ("[unexpected] dropping short …") and reads on.
        }
    }

    private void onServerKey(NodeKey announced) {
        if (serverKey != null) {
            return; // fast start: ClientInfo already went out with the request
        }
        serverKey = announced;
        client.writeNow(client.clientInfoFrame(announced));
    }

    private void onServerInfo(ServerFrames.SealedServerInfo sealed) throws DerpProtocolException {
        if (serverKey == null) {
            throw new DerpProtocolException("bad_server_info", "ServerInfo before ServerKey");
        }
        serverInfo = sealed.open(privateKey, serverKey);
        connected.tryComplete(client);
    }

    /** An own copy of a view: Buffer.copy() may hand back the same read-only buffer, which the reader recycles. */
    private static Buffer copyOf(Buffer view) {
        return view.getBuffer(0, view.length());
    }
}
