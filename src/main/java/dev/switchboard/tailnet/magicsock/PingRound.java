package dev.switchboard.tailnet.magicsock;

import java.util.List;

/**
 * The pings a decision asks for ({@code sendDiscoPingsLocked}), and whether to follow them with a CallMeMaybe listing
 * our own endpoints via DERP region {@code callMeMaybeVia} ({@code null}: don't). Before sending it the caller
 * re-STUNs if its endpoints are older than {@link MagicsockConstants#ENDPOINTS_FRESH_ENOUGH_DURATION}
 * ({@code enqueueCallMeMaybe}).
 */
public record PingRound(List<PingRequest> pings, DerpMagicAddress callMeMaybeVia) {
    public static final PingRound NONE = new PingRound(List.of(), null);

    public PingRound {
        pings = List.copyOf(pings);
    }

    public boolean isEmpty() {
        return pings.isEmpty() && callMeMaybeVia == null;
    }
}
