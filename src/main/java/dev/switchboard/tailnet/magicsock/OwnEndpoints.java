package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Our own UDP endpoints, as published in {@code Node.endpoints} and CallMeMaybe ({@code magicsock.go
 * determineEndpoints}, {@code enqueueCallMeMaybe}). Owned by the magicsock event loop.
 */
public final class OwnEndpoints {
    private static final long FRESH_ENOUGH = MagicsockConstants.ENDPOINTS_FRESH_ENOUGH_DURATION.toNanos();

    /** A CallMeMaybe to send now via DERP region {@code via} to {@code peer}, listing {@code endpoints}. */
    public record CallMeMaybe(NodeKey peer, DerpMagicAddress via, List<InetSocketAddress> endpoints) {
    }

    private final boolean blockEndpoints;
    private List<InetSocketAddress> endpoints = List.of();
    private long updatedAt = EndpointState.NEVER;
    // Peers whose CallMeMaybe waits for a fresh STUN ({@code onEndpointRefreshed}); one per peer, latest region wins.
    private final Map<NodeKey, DerpMagicAddress> waiting = new LinkedHashMap<>();

    /** @param blockEndpoints relay-only: no STUN, and every CallMeMaybe is empty so peers forget our endpoints */
    public OwnEndpoints(boolean blockEndpoints) {
        this.blockEndpoints = blockEndpoints;
    }

    /**
     * {@code determineEndpoints} order: port mapping, STUN IPv4, the STUN IPv4 address with our local port (only
     * behind a hard NAT, where the mapped port is random per destination and the local port sometimes survives),
     * STUN IPv6, then local interface addresses with the bound port. Loopback addresses are used only when nothing
     * else exists. Duplicates keep their first position.
     */
    public static List<InetSocketAddress> determine(Optional<InetSocketAddress> portMapped, Optional<InetSocketAddress> stun4,
            boolean hardNat, Optional<InetSocketAddress> stun6, List<InetAddress> local, int boundPort) {
        Set<InetSocketAddress> out = new LinkedHashSet<>();
        portMapped.ifPresent(out::add);
        stun4.ifPresent(out::add);
        if (hardNat) {
            stun4.ifPresent(s -> out.add(AddrPorts.of(s.getAddress(), boundPort)));
        }
        stun6.ifPresent(out::add);
        List<InetSocketAddress> loopback = new ArrayList<>();
        for (InetAddress ip : local) {
            InetSocketAddress a = AddrPorts.of(ip, boundPort);
            if (a.getAddress().isLoopbackAddress()) {
                loopback.add(a);
            } else {
                out.add(a);
            }
        }
        if (out.isEmpty()) {
            out.addAll(loopback);
        }
        return List.copyOf(out);
    }

    public List<InetSocketAddress> endpoints() {
        return blockEndpoints ? List.of() : endpoints;
    }

    /**
     * A STUN round finished with {@code fresh} endpoints. Returns the CallMeMaybes that were waiting for it; whether
     * {@code Node.endpoints} must be re-published is the caller's comparison.
     */
    public List<CallMeMaybe> update(List<InetSocketAddress> fresh, long now) {
        endpoints = List.copyOf(fresh);
        updatedAt = now;
        List<CallMeMaybe> due = new ArrayList<>();
        waiting.forEach((peer, via) -> due.add(new CallMeMaybe(peer, via, endpoints())));
        waiting.clear();
        return due;
    }

    /**
     * {@code enqueueCallMeMaybe}: a ping round to {@code peer} asked for a CallMeMaybe. Sent now if our endpoints are
     * younger than {@link MagicsockConstants#ENDPOINTS_FRESH_ENOUGH_DURATION} (a stale list would send the peer to
     * ports our NAT has closed); otherwise it waits for the re-STUN the caller must start when this returns empty.
     */
    public Optional<CallMeMaybe> callMeMaybe(NodeKey peer, DerpMagicAddress via, long now) {
        if (blockEndpoints || updatedAt != EndpointState.NEVER && now - updatedAt < FRESH_ENOUGH) {
            return Optional.of(new CallMeMaybe(peer, via, endpoints()));
        }
        waiting.put(peer, via);
        return Optional.empty();
    }

    /** A peer left: its waiting CallMeMaybe is void. */
    public void forget(NodeKey peer) {
        waiting.remove(peer);
    }
}
