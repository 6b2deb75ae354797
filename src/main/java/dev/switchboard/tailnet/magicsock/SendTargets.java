package dev.switchboard.tailnet.magicsock;

import java.net.InetSocketAddress;

/**
 * Where the next WireGuard packet to a peer goes ({@code endpoint.go addrForSendLocked}): a trusted {@code bestAddr}
 * alone, else {@code bestAddr} (if any) and DERP both. Either may be {@code null}; both are {@code null} only for a
 * peer with neither a path nor a home DERP ({@code errNoUDPOrDERP}). Sending both duplicates packets; WireGuard's
 * replay filter absorbs the copies.
 */
public record SendTargets(InetSocketAddress udp, DerpMagicAddress derp) {
    public boolean isEmpty() {
        return udp == null && derp == null;
    }

    public boolean udpOnly() {
        return udp != null && derp == null;
    }

    public boolean derpOnly() {
        return udp == null && derp != null;
    }
}
