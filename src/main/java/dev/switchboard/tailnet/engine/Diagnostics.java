package dev.switchboard.tailnet.engine;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The state {@code coder ping} reports before pinging ({@code cli/ping.go}, {@code cliui.PeerDiagnostics}): our home
 * DERP region, whether our node reached the coordinator, the peer's node as received, and the WireGuard handshake.
 */
public record Diagnostics(int homeRegion, String homeRegionName, boolean homeConnected, boolean sentNode,
                          Optional<Peer> peer, boolean directDisabledLocally, boolean directDisabledByServer) {
    /** The remote node as the coordinator delivered it, and our WireGuard state with it. */
    public record Peer(int preferredDerp, String preferredDerpName, List<String> endpoints,
                       Optional<Duration> handshakeAge) {
    }
}
