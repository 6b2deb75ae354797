package dev.switchboard.tailnet.magicsock;

/**
 * {@code bestAddr} was replaced ("magicsock: disco: node … now using …"). {@code from} is {@code null} when the peer
 * was reachable only via DERP until now. The peer's WireGuard endpoint (its {@link PathEndpoint}) stays the same.
 */
public record PathChange(AddrLatency from, AddrLatency to) {
}
