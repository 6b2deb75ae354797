package dev.switchboard.tailnet.magicsock;

/** What to do with a verified incoming disco Ping ({@code magicsock.go handlePingLocked}). */
public enum PingAction {
    /** Send a Pong carrying the observed source, back the way the ping came. */
    REPLY,
    /** The same ping seen twice (two sockets on Linux); it was answered already. */
    DUPLICATE,
    /** UDP disco in relay-only mode: ignored, so no direct path can form. */
    IGNORE
}
