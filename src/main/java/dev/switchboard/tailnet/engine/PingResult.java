package dev.switchboard.tailnet.engine;

import dev.switchboard.tailnet.magicsock.DerpMagicAddress;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * A pong over the tunnel: its round-trip time and the path its reply took, a direct {@code ip:port} or a DERP region
 * ({@code ipnstate.PingResult}: {@code Endpoint} vs {@code DERPRegionID}).
 */
public record PingResult(Duration latency, InetSocketAddress via) {
    public boolean direct() {
        return !DerpMagicAddress.isDerp(via);
    }

    /** The DERP region that relayed the reply, when not direct. */
    public Optional<Integer> derpRegion() {
        return DerpMagicAddress.of(via).map(DerpMagicAddress::regionId);
    }
}
