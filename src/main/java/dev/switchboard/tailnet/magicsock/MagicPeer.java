package dev.switchboard.tailnet.magicsock;

import dev.switchboard.tailnet.wireguard.PeerTimers;
import dev.switchboard.tailnet.wireguard.WireGuardPeer;

import java.util.ArrayDeque;

/**
 * One peer as {@link MagicConn} runs it: its WireGuard peer, its path state, the timers armed for both, and the
 * packets waiting for a session. Owned by the magicsock event loop; every field is read and written only there.
 */
final class MagicPeer {
    /** wireguard-go stages up to {@code QueueStagedSize} (128) packets; a ping tool needs a handful. */
    static final int MAX_STAGED = 16;

    /** An IP packet at {@code buf[TX_HEADROOM..]}, with room to seal it in place. */
    record Staged(byte[] buf, int ipLength) {
    }

    final WireGuardPeer wg;
    final PathEndpoint path;
    final ArrayDeque<Staged> staged = new ArrayDeque<>();
    /** Vert.x timer for the earliest WireGuard deadline, or -1; {@link #wgTimerAt} is that deadline. */
    long wgTimer = -1;
    long wgTimerAt = PeerTimers.UNSET;
    /** Vert.x timer of {@link PathEndpoint#heartbeat}, or -1. */
    long heartbeatTimer = -1;
    boolean removed;

    MagicPeer(WireGuardPeer wg, PathEndpoint path) {
        this.wg = wg;
        this.path = path;
    }
}
