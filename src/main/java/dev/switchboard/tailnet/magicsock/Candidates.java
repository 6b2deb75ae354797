package dev.switchboard.tailnet.magicsock;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One peer's candidate UDP addresses ({@code endpoint.go endpointState} and {@code isCallMeMaybeEP}) from its
 * {@code Node.endpoints}, its CallMeMaybe messages and the sources of its pings. Insertion-ordered so ping rounds are
 * deterministic. Owned by the magicsock event loop (via its {@link PathEndpoint}); not thread-safe.
 *
 * <p>Bounded at {@link MagicsockConstants#MAX_CANDIDATES}: Tailscale prunes expired entries above 100 but keeps
 * everything younger than 45 s; here, if pruning is not enough, the oldest ping-learned entry (never the current
 * {@code bestAddr}) makes room, and netmap or CallMeMaybe entries beyond the cap are not added.
 *
 * <p>Every mutator returns the addresses it removed, so the owner can drop a {@code bestAddr} that went away
 * ({@code deleteEndpointLocked}).
 */
final class Candidates {
    private final Map<InetSocketAddress, EndpointState> states = new LinkedHashMap<>();
    private final Set<InetSocketAddress> callMeMaybe = new LinkedHashSet<>();

    EndpointState get(InetSocketAddress addr) {
        return states.get(addr);
    }

    int size() {
        return states.size();
    }

    /** A snapshot of the addresses, in insertion order, safe to iterate while the set changes. */
    List<InetSocketAddress> addresses() {
        return List.copyOf(states.keySet());
    }

    Collection<EndpointState> states() {
        return states.values();
    }

    /** {@code updateFromNode}: the listed addresses become netmap entries; unlisted netmap-only ones go. */
    List<InetSocketAddress> updateFromNode(List<InetSocketAddress> endpoints, long now, InetSocketAddress protect) {
        List<InetSocketAddress> removed = new ArrayList<>();
        states.values().forEach(s -> s.inNetmap = false);
        for (InetSocketAddress ep : endpoints) {
            EndpointState st = states.get(ep);
            if (st == null) {
                st = admit(ep, now, protect, removed);
            }
            if (st != null) {
                st.inNetmap = true;
            }
        }
        removed.addAll(pruneExpired(now));
        return removed;
    }

    /**
     * {@code addCandidateEndpoint}: an address a verified ping came from. Reports whether this is the same ping seen
     * twice; a fresh address that does not fit is dropped (the ping is still answered).
     */
    boolean addFromPing(InetSocketAddress src, TxId txId, long now, InetSocketAddress protect, List<InetSocketAddress> removed) {
        EndpointState st = states.get(src);
        if (st != null) {
            boolean duplicate = txId.equals(st.lastGotPingTxId);
            st.lastGotPingTxId = txId;
            if (st.pingLearned()) {
                st.lastGotPing = now;
            }
            return duplicate;
        }
        st = admit(src, now, protect, removed);
        if (st != null) {
            st.lastGotPing = now;
            st.lastGotPingTxId = txId;
        }
        return false;
    }

    /**
     * {@code handleCallMeMaybe}: mark the listed addresses (IPv6 link-local skipped, as Tailscale cannot pick the
     * interface) and delete earlier CallMeMaybe addresses this message omits; an empty list clears them all.
     */
    List<InetSocketAddress> applyCallMeMaybe(List<InetSocketAddress> endpoints, long now, InetSocketAddress protect) {
        List<InetSocketAddress> removed = new ArrayList<>();
        Set<InetSocketAddress> listed = new LinkedHashSet<>();
        for (InetSocketAddress ep : endpoints) {
            // Link-local: Tailscale cannot pick the interface. DERP magic: not a UDP path (a hardening of ours).
            if (AddrPorts.isLinkLocal6(ep) || DerpMagicAddress.isDerp(ep)) {
                continue;
            }
            EndpointState st = states.get(ep);
            if (st == null) {
                st = admit(ep, now, protect, removed);
            }
            if (st != null) {
                st.callMeMaybeTime = now;
                listed.add(ep);
            }
        }
        for (InetSocketAddress old : List.copyOf(callMeMaybe)) {
            if (!listed.contains(old)) {
                callMeMaybe.remove(old);
                if (states.remove(old) != null) {
                    removed.add(old);
                }
            }
        }
        callMeMaybe.addAll(listed);
        return removed;
    }

    /** Drops entries {@link EndpointState#shouldDelete} says are stale. */
    List<InetSocketAddress> pruneExpired(long now) {
        List<InetSocketAddress> removed = new ArrayList<>();
        var it = states.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (e.getValue().shouldDelete(now)) {
                it.remove();
                callMeMaybe.remove(e.getKey());
                removed.add(e.getKey());
            }
        }
        return removed;
    }

    /** Forget every ping time so the next round pings everything ({@code handleCallMeMaybe}, {@code resetLocked}). */
    void resetLastPings() {
        states.values().forEach(s -> s.lastPing = EndpointState.NEVER);
    }

    /** Relay-only mode keeps no UDP candidates at all. */
    List<InetSocketAddress> clear() {
        List<InetSocketAddress> removed = addresses();
        states.clear();
        callMeMaybe.clear();
        return removed;
    }

    /** Adds a fresh entry if it fits under the cap, pruning and then evicting a ping-learned one if allowed. */
    private EndpointState admit(InetSocketAddress ep, long now, InetSocketAddress protect, List<InetSocketAddress> removed) {
        if (states.size() >= MagicsockConstants.MAX_CANDIDATES) {
            removed.addAll(pruneExpired(now));
        }
        if (states.size() >= MagicsockConstants.MAX_CANDIDATES) {
            InetSocketAddress victim = oldestPingLearned(protect);
            if (victim == null) {
                return null;
            }
            states.remove(victim);
            removed.add(victim);
        }
        EndpointState st = new EndpointState();
        states.put(ep, st);
        return st;
    }

    /** The ping-learned, non-netmap, non-CallMeMaybe entry with the oldest last ping, other than {@code protect}. */
    private InetSocketAddress oldestPingLearned(InetSocketAddress protect) {
        InetSocketAddress oldest = null;
        long oldestAt = Long.MAX_VALUE;
        for (var e : states.entrySet()) {
            EndpointState s = e.getValue();
            if (s.pingLearned() && !s.inNetmap && s.callMeMaybeTime == EndpointState.NEVER && !e.getKey().equals(protect)
                    && (oldest == null || s.lastGotPing - oldestAt < 0)) {
                oldest = e.getKey();
                oldestAt = s.lastGotPing;
            }
        }
        return oldest;
    }
}
