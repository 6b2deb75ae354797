package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which DERP connection carries a packet to a peer, and which connections to close ({@code magicsock.go
 * derpWriteChanOfAddr}, {@code addDerpPeerRoute}, {@code cleanStaleDerp}). Pure bookkeeping: the caller owns the
 * {@code DerpClient}s and tells this class when one opens, closes or delivers a packet. Owned by the magicsock event
 * loop.
 */
public final class DerpRoutes {
    private static final long INACTIVE = MagicsockConstants.DERP_INACTIVE_CLEANUP_TIME.toNanos();
    /** derpRoute entries come from any DERP source key; past this many the oldest is dropped (Tailscale: unbounded). */
    static final int MAX_ROUTES = 4096;

    /** Where to write. {@code dial} means no connection to {@code regionId} is open: create one, then write. */
    public record Write(int regionId, boolean dial) {
    }

    private static final class Active {
        final long generation;
        long lastWrite;

        Active(long generation, long lastWrite) {
            this.generation = generation;
            this.lastWrite = lastWrite;
        }
    }

    private record Route(int regionId, long generation) {
    }

    private final Map<Integer, Active> active = new LinkedHashMap<>();
    private final Map<NodeKey, Route> derpRoute = new LinkedHashMap<>();
    private long generations;
    private int home;

    /**
     * {@code derpWriteChanOfAddr}: the connection for a packet to {@code peer} whose home is {@code addr}. In order:
     * an open connection to the peer's region; the open connection the peer last reached us through
     * ({@code derpRoute}: its home may be Frankfurt while it talks to us via our San Francisco home, Tailscale issue
     * 150); else dial the peer's region.
     */
    public Write writeTarget(DerpMagicAddress addr, NodeKey peer, long now) {
        int region = addr.regionId();
        Active ad = active.get(region);
        if (ad != null) {
            ad.lastWrite = now;
            return new Write(region, false);
        }
        Route r = peer == null ? null : derpRoute.get(peer);
        if (r != null) {
            Active via = active.get(r.regionId());
            if (via != null && via.generation == r.generation()) {
                via.lastWrite = now;
                return new Write(r.regionId(), false);
            }
        }
        open(region, now);
        return new Write(region, true);
    }

    /**
     * {@code setNearestDERP}: our home region changed. The home connection is never cleaned up; the result says
     * whether it must be dialled. The caller sends NotePreferred true on it and false on the others.
     */
    public boolean setHome(int regionId, long now) {
        home = regionId;
        if (active.containsKey(regionId)) {
            return false;
        }
        open(regionId, now);
        return true;
    }

    /** {@code addDerpPeerRoute}: a packet from {@code peer} arrived over our connection to {@code regionId}. */
    public void noteReceived(NodeKey peer, int regionId) {
        Active ad = active.get(regionId);
        if (ad == null) {
            return;
        }
        derpRoute.remove(peer);
        derpRoute.put(peer, new Route(regionId, ad.generation));
        if (derpRoute.size() > MAX_ROUTES) {
            Iterator<NodeKey> it = derpRoute.keySet().iterator();
            it.next();
            it.remove();
        }
    }

    /** The connection to {@code regionId} closed: routes through it are void ({@code removeDerpPeerRoute}). */
    public void closed(int regionId) {
        Active ad = active.remove(regionId);
        if (ad != null) {
            derpRoute.values().removeIf(r -> r.generation() == ad.generation);
        }
    }

    /**
     * {@code cleanStaleDerp}, run every {@link MagicsockConstants#DERP_CLEAN_STALE_INTERVAL} while a non-home
     * connection is open: non-home connections not written for {@link MagicsockConstants#DERP_INACTIVE_CLEANUP_TIME}
     * are forgotten here and returned for the caller to close.
     */
    public List<Integer> cleanStale(long now) {
        List<Integer> stale = new ArrayList<>();
        for (var e : List.copyOf(active.entrySet())) {
            if (e.getKey() != home && now - e.getValue().lastWrite > INACTIVE) {
                stale.add(e.getKey());
                closed(e.getKey());
            }
        }
        return stale;
    }

    /** Whether the stale-connection timer should (still) run: some non-home connection is open. */
    public boolean anyNonHomeOpen() {
        return active.keySet().stream().anyMatch(r -> r != home);
    }

    public boolean isOpen(int regionId) {
        return active.containsKey(regionId);
    }

    private void open(int regionId, long now) {
        active.put(regionId, new Active(++generations, now));
    }
}
