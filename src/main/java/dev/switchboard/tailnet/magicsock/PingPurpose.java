package dev.switchboard.tailnet.magicsock;

/** Why a disco ping was sent ({@code endpoint.go discoPingPurpose}). */
public enum PingPurpose {
    /** A full-round ping: is this candidate a working path? */
    DISCOVERY,
    /** The 3 s ping of {@code bestAddr}: is the current path still there? */
    HEARTBEAT,
    /** A user's {@code coder ping}; may go over DERP, so it needs no candidate entry. */
    CLI
}
