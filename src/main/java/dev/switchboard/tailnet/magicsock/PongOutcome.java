package dev.switchboard.tailnet.magicsock;

import java.net.InetSocketAddress;

/** What {@link PathEndpoint#onPong} made of a Pong ({@code endpoint.go handlePongConnLocked}). */
public sealed interface PongOutcome {
    /** Not a ping this peer has outstanding (unknown TxID, or later than {@code pingTimeoutDuration}). */
    record NotOurs() implements PongOutcome {
    }

    /**
     * A pong for our ping to {@code pinged}. When {@code tieSource} the caller records {@code pong source → this peer's
     * node key} ({@code peerMap.setNodeKeyForIPPort}) so WireGuard from that address is accepted. {@code change} is
     * non-null when {@code bestAddr} moved.
     */
    record Accepted(InetSocketAddress pinged, long latencyNanos, boolean tieSource, PathChange change)
            implements PongOutcome {
    }
}
