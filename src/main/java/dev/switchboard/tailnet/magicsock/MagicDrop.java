package dev.switchboard.tailnet.magicsock;

/** Why {@link MagicConn} itself dropped a packet (the WireGuard and disco layers have their own reasons). */
public enum MagicDrop {
    /** UDP WireGuard from an {@code ip:port} no disco exchange tied to a peer ({@code peerMap.endpointForIPPort}). */
    UNTIED_UDP_SOURCE,
    /** WireGuard relayed by DERP from a node key that is not a peer. */
    UNKNOWN_DERP_SOURCE,
    /** An IP packet to send whose destination is in no peer's allowed IPs ({@code errNoPeer}). */
    NO_PEER_FOR_DESTINATION,
    /** An IP packet to send that does not parse as IPv4/IPv6. */
    BAD_OUTBOUND_PACKET,
    /** A peer has neither a direct path nor a home DERP region ({@code errNoUDPOrDERP}). */
    NO_PATH,
    /** The staging queue of a peer without a session was full (wireguard-go {@code QueueStagedSize}). */
    STAGED_QUEUE_FULL,
    /** A DERP region's write queue was full ({@code bufferedDerpWritesBeforeDrop}). */
    DERP_QUEUE_FULL,
    /** No DERP connection to the region could be opened (no node, or every dial failed). */
    DERP_UNREACHABLE,
    /** A UDP send failed (no route, socket closed). */
    UDP_SEND_FAILED,
    /** A STUN response that answers none of our requests (late, unknown, or in relay-only mode, which never STUNs). */
    STUN_UNHANDLED,
    /** A datagram whose source address does not parse (a scoped IPv6 address, say). */
    UNPARSABLE_SOURCE,
    /** A datagram longer than magicsock's receive buffer. */
    OVERSIZED
}
