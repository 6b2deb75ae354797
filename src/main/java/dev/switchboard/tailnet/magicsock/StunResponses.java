package dev.switchboard.tailnet.magicsock;

import java.net.InetSocketAddress;

/**
 * Where {@link MagicConn} hands STUN responses that arrive on its UDP socket (RFC 5389 §6 magic cookie; Tailscale
 * {@code magicsock.go receiveIP} → {@code netChecker.ReceiveSTUNPacket}): the {@link EndpointDiscovery}, whose
 * netcheck sends its requests from the same sockets, so its mappings are those of the sockets peers talk through.
 * Called on the magicsock event loop; must not block. {@code packet} is a private copy.
 */
@FunctionalInterface
public interface StunResponses {
    void onStunResponse(byte[] packet, InetSocketAddress from);
}
