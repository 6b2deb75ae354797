package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;

import java.util.Optional;

/**
 * A snapshot of one peer for diagnostics ({@code ipnstate.PeerStatus}): its best direct path, whether that path is
 * trusted now, its home DERP, and when the last WireGuard handshake completed (monotonic nanos, empty if never).
 */
public record PeerStatus(NodeKey key, Optional<AddrLatency> bestAddr, boolean direct,
                         Optional<DerpMagicAddress> derp, Optional<Long> lastHandshakeNanos) {
}
