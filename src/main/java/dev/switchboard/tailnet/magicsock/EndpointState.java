package dev.switchboard.tailnet.magicsock;

/**
 * What one peer knows about one candidate address ({@code endpoint.go endpointState}). Owned by the magicsock event
 * loop through its {@link Candidates}; times are nanos of the injected clock, {@link #NEVER} standing in for Go's
 * zero {@code mono.Time}.
 */
final class EndpointState {
    static final long NEVER = Long.MIN_VALUE;
    private static final long SESSION_ACTIVE_TIMEOUT = MagicsockConstants.SESSION_ACTIVE_TIMEOUT.toNanos();

    /** Our last outgoing ping to this address. */
    long lastPing = NEVER;
    /** Set only for addresses learned from an incoming ping; refreshed by each further ping, it ages them out. */
    long lastGotPing = NEVER;
    /** The last incoming ping's TxID: Linux can deliver one ping on two sockets, and the second must be ignored. */
    TxId lastGotPingTxId;
    /** When a CallMeMaybe last listed this address; such candidates live until a CallMeMaybe omits them. */
    long callMeMaybeTime = NEVER;
    /** Listed in the peer's current {@code Node.endpoints} (Tailscale: {@code index != indexSentinelDeleted}). */
    boolean inNetmap;
    /** Latency of the last pong via this address, or −1 ({@code recentPongs}, kept for status only). */
    long lastPongLatencyNanos = -1;

    boolean pingLearned() {
        return lastGotPing != NEVER;
    }

    /** {@code shouldDeleteLocked}: CallMeMaybe entries stay, netmap ones go when unlisted, learned ones after 45 s. */
    boolean shouldDelete(long now) {
        if (callMeMaybeTime != NEVER) {
            return false;
        }
        if (!pingLearned()) {
            return !inNetmap;
        }
        return now - lastGotPing > SESSION_ACTIVE_TIMEOUT;
    }

    /** Whether a discovery ping went out less than {@code intervalNanos} ago ({@code discoPingInterval}). */
    boolean pingedWithin(long now, long intervalNanos) {
        return lastPing != NEVER && now - lastPing < intervalNanos;
    }
}
