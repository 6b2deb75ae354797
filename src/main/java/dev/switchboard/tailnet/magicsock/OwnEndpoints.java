package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    private List<Endpoint> endpoints = List.of();
    private long updatedAt = EndpointState.NEVER;
    // Peers whose CallMeMaybe waits for a fresh STUN ({@code onEndpointRefreshed}); one per peer, latest region wins.
    private final Map<NodeKey, DerpMagicAddress> waiting = new LinkedHashMap<>();

    /** @param blockEndpoints relay-only: no STUN, and every CallMeMaybe is empty so peers forget our endpoints */
    public OwnEndpoints(boolean blockEndpoints) {
        this.blockEndpoints = blockEndpoints;
    }

    /**
     * {@code determineEndpoints} order: STUN IPv4, the STUN IPv4 address with our local IPv4 port (only behind a
     * hard NAT, where the mapped port is random per destination and the local port sometimes survives), STUN IPv6,
     * then the local interface endpoints. Loopback ones are used only when nothing else exists. A duplicate keeps its
     * first position and type (on loopback the STUN answer is the socket's own address: it stays a STUN endpoint).
     * Tailscale's port-mapping endpoints (UPnP, NAT-PMP, PCP) would come first; there is no port mapper here.
     */
    public static List<Endpoint> determine(Optional<InetSocketAddress> stun4, boolean hardNat,
                                           Optional<InetSocketAddress> stun6, List<InetSocketAddress> local,
                                           int boundPort4) {
        Map<InetSocketAddress, Endpoint.Type> out = new LinkedHashMap<>();
        stun4.ifPresent(s -> out.putIfAbsent(s, Endpoint.Type.STUN));
        if (hardNat) {
            stun4.ifPresent(s -> out.putIfAbsent(AddrPorts.of(s.getAddress(), boundPort4),
                    Endpoint.Type.STUN4_LOCAL_PORT));
        }
        stun6.ifPresent(s -> out.putIfAbsent(s, Endpoint.Type.STUN));
        List<InetSocketAddress> loopback = new ArrayList<>();
        for (InetSocketAddress a : local) {
            if (a.getAddress().isLoopbackAddress()) {
                loopback.add(a);
            } else {
                out.putIfAbsent(a, Endpoint.Type.LOCAL);
            }
        }
        if (out.isEmpty()) {
            loopback.forEach(a -> out.putIfAbsent(a, Endpoint.Type.LOCAL));
        }
        List<Endpoint> eps = new ArrayList<>();
        out.forEach((addr, type) -> eps.add(new Endpoint(addr, type)));
        return List.copyOf(eps);
    }

    /** Our endpoints with their sources (empty in relay-only mode). */
    public List<Endpoint> typed() {
        return blockEndpoints ? List.of() : endpoints;
    }

    /** Our endpoints as {@code Node.endpoints} and CallMeMaybe carry them (empty in relay-only mode). */
    public List<InetSocketAddress> endpoints() {
        return typed().stream().map(Endpoint::addr).toList();
    }

    /**
     * Endpoints to publish before the first STUN round finishes (the local ones, known at bind). They do not count as
     * fresh: a CallMeMaybe still waits for the round, since behind a NAT it is the STUN endpoint the peer needs.
     */
    public void provisional(List<Endpoint> local) {
        endpoints = List.copyOf(local);
    }

    /**
     * A STUN round finished with {@code fresh} endpoints. Returns the CallMeMaybes that were waiting for it; whether
     * {@code Node.endpoints} must be re-published is the caller's comparison.
     */
    public List<CallMeMaybe> update(List<Endpoint> fresh, long now) {
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
