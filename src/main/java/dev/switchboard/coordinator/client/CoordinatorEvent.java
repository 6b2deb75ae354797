package dev.switchboard.coordinator.client;

import dev.switchboard.coordinator.proto.CoordinateResponse.PeerUpdate;
import dev.switchboard.coordinator.proto.Node;

import java.time.Duration;
import java.util.UUID;

/**
 * What a {@link CoordinatorClient} reports, in order, on its event loop (listeners must not block). {@link Closed}
 * is always the last event.
 */
public sealed interface CoordinatorEvent {
    /**
     * The coordinate stream is open; the client's node and tunnels have been (re)sent.
     *
     * @param resumed a resume token was presented and honoured: the server kept the earlier peer ID, so tunnel peers
     *                see an overwrite rather than a new peer
     */
    record Connected(UUID peerId, boolean resumed) implements CoordinatorEvent {
    }

    /**
     * One {@code PeerUpdate} (coder/coder `tailnet/proto/tailnet.proto`). {@code node} is set for {@code NODE} only.
     * On {@code LOST} keep the last node (WireGuard may still work); on {@code DISCONNECTED} tear the peer down.
     */
    record PeerChange(UUID peer, PeerUpdate.Kind kind, Node node, String reason) implements CoordinatorEvent {
    }

    /**
     * {@code CoordinateResponse.error}. Fatal errors precede the server ending the stream (the client then
     * reconnects); {@code ready for handshake error: …} is not fatal (Coder: "inherently racy").
     */
    record ServerError(String error, boolean fatal) implements CoordinatorEvent {
    }

    /**
     * The stream ended or a dial failed; the client dials again in {@code retryIn}. {@code attempt} counts failed
     * dials since the last success from 1; it is 0 for the immediate redial after an invalid resume token.
     */
    record ConnectionLost(String reason, int attempt, Duration retryIn) implements CoordinatorEvent {
    }

    /**
     * The server refused the upgrade with a 4xx (bad or expired token, no access, unsupported version, browser-only):
     * reported once, never retried. {@code message} and {@code detail} come from Coder's JSON error body.
     */
    record Rejected(int status, String message, String detail) implements CoordinatorEvent {
    }

    /** The client stopped for good: closed, disconnected, rejected, overwritten, or out of attempts. */
    record Closed(String reason) implements CoordinatorEvent {
    }
}
