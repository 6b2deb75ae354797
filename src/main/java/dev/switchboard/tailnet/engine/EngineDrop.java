package dev.switchboard.tailnet.engine;

/** Why the engine dropped a packet or an update (counted with magicsock's drops). */
public enum EngineDrop {
    /** A decrypted packet addressed to none of our tailnet addresses. */
    NOT_FOR_US,
    /** A packet to us that nothing here serves (ICMP other than echo, UDP). */
    UNHANDLED,
    /** A TCP segment from our stack longer than the tunnel MTU (never expected: the stack sends MSS 1220). */
    OVERSIZED_TCP,
    /** A coordinator NODE update Coder would ignore ({@code preferred_derp = 0}, bad key or allowed IPs). */
    BAD_PEER_UPDATE
}
