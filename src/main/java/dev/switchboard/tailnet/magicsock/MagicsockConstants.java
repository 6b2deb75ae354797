package dev.switchboard.tailnet.magicsock;

import java.time.Duration;

/**
 * magicsock's timing and sizing constants. Values are those of tailscale {@code wgengine/magicsock/magicsock.go} at
 * v1.36.2 and of the Coder fork ({@code coder/tailscale}, which moved the per-peer ones to {@code endpoint.go}); they
 * are the same in both and in current Tailscale unless noted. Matching them matters for interop: the peer's
 * heartbeats and trust windows assume ours behave alike (a peer that pings less often than every
 * {@link #TRUST_UDP_ADDR_DURATION} makes the other side fall back to DERP).
 */
public final class MagicsockConstants {
    /** {@code heartbeatInterval}: how often an active peer's {@code bestAddr} is pinged to keep it trusted. */
    public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(3);

    /**
     * {@code trustUDPAddrDuration}: a pong from {@code bestAddr} lets us send UDP-only this long. 6.5 s = two
     * heartbeats plus slack, so a single lost pong does not send traffic back through DERP.
     */
    public static final Duration TRUST_UDP_ADDR_DURATION = Duration.ofMillis(6500);

    /** {@code discoPingInterval}: minimum gap between discovery pings to one candidate (CallMeMaybe resets it). */
    public static final Duration DISCO_PING_INTERVAL = Duration.ofSeconds(5);

    /** {@code pingTimeoutDuration}: a pong arriving this long after its ping is ignored (the sentPing timer). */
    public static final Duration PING_TIMEOUT_DURATION = Duration.ofSeconds(5);

    /**
     * {@code upgradeInterval}: even while a direct path works, run a full ping round this often to find a better one
     * (current Tailscale calls it {@code upgradeUDPDirectInterval}).
     */
    public static final Duration UPGRADE_INTERVAL = Duration.ofMinutes(1);

    /** {@code goodEnoughLatency}: at or below this {@code bestAddr} latency, upgrade rounds are skipped. */
    public static final Duration GOOD_ENOUGH_LATENCY = Duration.ofMillis(5);

    /**
     * {@code sessionActiveTimeout}: after this long without sends a peer's heartbeat stops; also the STUN idle
     * cutoff and the lifetime of candidates learned from incoming pings.
     */
    public static final Duration SESSION_ACTIVE_TIMEOUT = Duration.ofSeconds(45);

    /** {@code endpointsFreshEnoughDuration}: re-STUN before a CallMeMaybe if our own endpoints are older than this. */
    public static final Duration ENDPOINTS_FRESH_ENOUGH_DURATION = Duration.ofSeconds(27);

    /** {@code derpInactiveCleanupTime}: a non-home DERP connection not written for this long is closed. */
    public static final Duration DERP_INACTIVE_CLEANUP_TIME = Duration.ofSeconds(60);

    /** {@code derpCleanStaleInterval}: how often idle non-home DERP connections are looked for. */
    public static final Duration DERP_CLEAN_STALE_INTERVAL = Duration.ofSeconds(15);

    /** {@code bufferedDerpWritesBeforeDrop}: per-region DERP write queue; a full queue drops, never blocks. */
    public static final int BUFFERED_DERP_WRITES_BEFORE_DROP = 32;

    /**
     * {@code endpoint.go addCandidateEndpoint}: above this many candidates the per-peer map is pruned. Tailscale only
     * drops expired entries there; {@link Candidates} also caps the map at this size so a flood of pings from fresh
     * source ports cannot grow it without bound.
     */
    public static final int MAX_CANDIDATES = 100;

    /**
     * Outstanding pings per peer. Tailscale bounds {@code sentPing} only by the 5 s timers; a full round pings at most
     * {@link #MAX_CANDIDATES} addresses plus the heartbeat, so this leaves room for one round and its successor.
     */
    public static final int MAX_SENT_PINGS = 2 * MAX_CANDIDATES + 8;

    private MagicsockConstants() {
    }
}
