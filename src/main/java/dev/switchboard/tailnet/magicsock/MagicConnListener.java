package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.tailnet.ip.IpPacket;
import dev.switchboard.tailnet.netcheck.NetcheckReport;

import java.net.InetSocketAddress;
import java.util.List;

/** What a {@link MagicConn} delivers upwards, on its event loop. */
public interface MagicConnListener {
    /**
     * A decrypted IP packet from a peer, which arrived via {@code via} (its UDP source, or a {@link DerpMagicAddress}
     * socket address). The packet is a view into a reused buffer: valid during the call.
     */
    void onPacket(IpPacket packet, InetSocketAddress via);

    /** A peer's best direct path moved ("magicsock: disco: node … now using …"). */
    void onPathChange(NodeKey peer, PathChange change);

    /**
     * A re-STUN finished ({@code callNetInfoCallback}): our endpoints as now published (empty in relay-only mode) and
     * the netcheck report behind them (latencies, preferred region). Called after every report, changed or not.
     */
    void onNetInfo(List<InetSocketAddress> endpoints, NetcheckReport report);
}
