package dev.switchboard.coordinator;

import dev.switchboard.coordinator.proto.CoordinateResponse;

/**
 * The coordinator's view of one peer's response stream (a WebSocket, or an in-process listener). Called under the
 * coordinator lock, so implementations never block: they queue into a bounded buffer.
 */
public interface PeerStream {
    /** Per-peer response buffer (coder/coder tailnet: 512); a peer that lets it fill is evicted. */
    int RESPONSE_BUFFER = 512;

    /** Queues a response; false when the buffer is full (the peer cannot keep up). */
    boolean offer(CoordinateResponse response);

    /** Sends {@code error} (if not null) as the last response, then ends the stream. */
    void close(String error);
}
