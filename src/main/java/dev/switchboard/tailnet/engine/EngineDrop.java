package dev.switchboard.tailnet.engine;

/** Why the engine dropped a packet or an update (counted with magicsock's drops). */
public enum EngineDrop {
    /** A decrypted packet addressed to none of our tailnet addresses. */
    NOT_FOR_US,
    /** A packet to us that nothing here serves (TCP before a stack exists, ICMP other than echo). */
    UNHANDLED,
    /** A coordinator NODE update Coder would ignore ({@code preferred_derp = 0}, bad key or allowed IPs). */
    BAD_PEER_UPDATE
}
