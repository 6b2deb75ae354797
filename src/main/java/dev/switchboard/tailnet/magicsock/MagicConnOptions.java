package dev.switchboard.tailnet.magicsock;

/**
 * How a {@link MagicConn} binds and behaves.
 *
 * @param bindHost       the UDP socket's local address ({@code 0.0.0.0}: every interface)
 * @param bindPort       its port, 0 for any (Tailscale's default 41641 is not special here)
 * @param blockEndpoints relay-only ({@code BlockEndpoints}): no endpoints published, DERP for everything
 */
public record MagicConnOptions(String bindHost, int bindPort, boolean blockEndpoints) {
}
