package dev.switchboard.tailnet.engine;

/** Why the engine dropped a packet or an update (counted with magicsock's drops). */
public enum EngineDrop {
    /** A decrypted packet addressed to none of our tailnet addresses. */
    NOT_FOR_US,
    /** A packet to us that nothing here serves (ICMP other than echo, another protocol). */
    UNHANDLED,
    /** A UDP datagram whose length or checksum is wrong (over IPv6 a zero checksum is invalid, RFC 8200 §8.1). */
    BAD_UDP,
    /** A UDP datagram to a port nobody bound. */
    UDP_PORT_UNBOUND,
    /** A TCP segment from our stack longer than the tunnel MTU (never expected: the stack sends MSS 1220). */
    OVERSIZED_TCP,
    /** A coordinator NODE update Coder would ignore ({@code preferred_derp = 0}, bad key or allowed IPs). */
    BAD_PEER_UPDATE
}
