package dev.switchboard.derp.client;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.PeerGoneReason;
import io.vertx.core.buffer.Buffer;

import java.net.InetSocketAddress;

/** What a DERP client can receive from a server after the handshake. */
public sealed interface DerpMessage {
    /** RecvPacket: a packet relayed from {@code source}. */
    record ReceivedPacket(NodeKey source, Buffer data) implements DerpMessage {
    }

    /** PeerGone: {@code peer} left (DISCONNECTED) or was never here (NOT_HERE). */
    record PeerGone(NodeKey peer, PeerGoneReason reason) implements DerpMessage {
    }

    /** PeerPresent (watchers): {@code peer} connected from {@code address} (null in pre-v1.48 form). */
    record PeerPresent(NodeKey peer, InetSocketAddress address, int flags) implements DerpMessage {
    }

    record KeepAlive() implements DerpMessage {
    }

    /** Ping from the server; the client answers it itself. */
    record ServerPing(Buffer data) implements DerpMessage {
    }

    /** Health problem text; empty clears it. */
    record Health(String problem) implements DerpMessage {
    }

    /** The server is restarting: reconnect after {@code reconnectInMillis}, keep trying for {@code tryForMillis}. */
    record Restarting(long reconnectInMillis, long tryForMillis) implements DerpMessage {
    }
}
