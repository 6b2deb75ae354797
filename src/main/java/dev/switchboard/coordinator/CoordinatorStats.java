package dev.switchboard.coordinator;

import java.util.concurrent.atomic.LongAdder;

/**
 * Event counts of one {@link Coordinator}, bumped under its lock and read by metrics from any thread. Peers and
 * tunnels are read from the coordinator itself ({@link Coordinator#peerCount(boolean)},
 * {@link Coordinator#tunnelCount()}).
 */
public final class CoordinatorStats {
    private final LongAdder requests = new LongAdder();
    private final LongAdder responses = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder overwrites = new LongAdder();

    void requestHandled() {
        requests.increment();
    }

    void responseQueued() {
        responses.increment();
    }

    void evicted() {
        evictions.increment();
    }

    void overwritten() {
        overwrites.increment();
    }

    /** CoordinateRequests applied (refused ones end the stream and are not counted). */
    public long requests() {
        return requests.sum();
    }

    /** CoordinateResponses queued to peers' streams. */
    public long responses() {
        return responses.sum();
    }

    /** Peers disconnected because their response buffer was full ({@code failed update}). */
    public long evictions() {
        return evictions.sum();
    }

    /** Connections that replaced a live one with the same peer ID. */
    public long overwrites() {
        return overwrites.sum();
    }
}
