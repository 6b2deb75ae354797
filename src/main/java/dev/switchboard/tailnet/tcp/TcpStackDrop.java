package dev.switchboard.tailnet.tcp;

/** Why a {@link TcpStack} dropped an inbound segment or refused a connection; counted, never logged. */
public enum TcpStackDrop {
    /** Not a valid IP packet, or its destination is not this stack's address. */
    NOT_FOR_US,
    /** A malformed TCP segment; the reason is counted in {@link TcpRejectCounters}. */
    MALFORMED,
    /** A segment for no connection that was answered with a RST (RFC 9293 §3.10.7.1). */
    NO_CONNECTION_RESET,
    /** A segment for no connection whose RST the rate limit withheld. */
    RESET_RATE_LIMITED,
    /** A RST for no connection: never answered. */
    NO_CONNECTION_RST,
    /** A SYN for a listener whose half-open and unaccepted connections fill its backlog. */
    BACKLOG_FULL,
    /** A SYN or connect beyond the per-peer connection limit. */
    PEER_LIMIT,
    /** A SYN or connect beyond the stack's connection limit. */
    TOTAL_LIMIT,
    /** A TIME_WAIT connection removed early to make room in a full table (not a segment drop). */
    TIME_WAIT_EVICTED,
    /** An active open found no free ephemeral port for the remote endpoint. */
    NO_EPHEMERAL_PORT
}
