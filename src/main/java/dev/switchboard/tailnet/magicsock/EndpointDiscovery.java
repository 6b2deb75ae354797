package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.tailnet.netcheck.IpFamily;
import dev.switchboard.tailnet.netcheck.Netcheck;
import dev.switchboard.tailnet.netcheck.NetcheckReport;
import dev.switchboard.tailnet.netcheck.StunSender;
import dev.switchboard.tailnet.netcheck.StunTransactions;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The magic socket's re-STUN (tailscale {@code wgengine/magicsock/magicsock.go} {@code ReSTUN},
 * {@code updateEndpoints}, {@code periodicReSTUN}): a full netcheck report over the magicsock's own UDP sockets — so
 * the mapping learnt is the one peers can reach — at start, when the DERP map changes, when a CallMeMaybe needs fresh
 * endpoints, and every 20–26 s. A request for a report while one runs is remembered and runs right after it (Tailscale's
 * {@code wantEndpointsUpdate}); reports never overlap.
 *
 * <p>Unlike Tailscale it keeps re-STUNing while the conn is idle or has no peers: a report is a handful of datagrams.
 *
 * <p>Event-loop confined to the conn's context; STUN responses come in through {@link #onStunResponse}.
 */
final class EndpointDiscovery implements StunResponses {
    /** {@code periodicReSTUN}: 20 s plus up to 6 s of jitter, so peers behind one NAT do not re-STUN in step. */
    static final Duration RESTUN_MIN = Duration.ofSeconds(20);
    static final Duration RESTUN_JITTER = Duration.ofSeconds(6);
    /** Transactions at once: the plan's three per region and family, with headroom for large maps. */
    private static final int MAX_IN_FLIGHT = 256;
    private static final Logger LOG = Logger.getLogger(EndpointDiscovery.class);

    private final Vertx vertx;
    private final Drops drops;
    private final StunTransactions transactions;
    private final Netcheck netcheck;
    private final Consumer<NetcheckReport> onReport;
    // Owned by the event loop.
    private DerpMap map;
    private boolean running;
    private boolean wanted;
    private boolean closed;
    private long timer = -1;

    /**
     * @param sender    sends from the magic socket of the target's family
     * @param families  the families the conn has a socket for
     * @param onReport  each finished report, on the loop
     */
    EndpointDiscovery(Vertx vertx, Context context, StunSender sender, Set<IpFamily> families, Drops drops,
                      Consumer<NetcheckReport> onReport) {
        this.vertx = vertx;
        this.drops = drops;
        this.onReport = onReport;
        this.transactions = new StunTransactions(vertx, context, sender, MAX_IN_FLIGHT);
        this.netcheck = new Netcheck(vertx, transactions, families, families.contains(IpFamily.V6),
                line -> LOG.debugf("magicsock: netcheck: %s", line));
    }

    /** A new DERP map: its STUN nodes are the ones to ask, now. */
    void setMap(DerpMap newMap) {
        map = newMap;
        reStun("derp-map-update");
    }

    /** {@code ReSTUN}: a report now, or right after the one running. */
    void reStun(String why) {
        if (closed || map == null) {
            return;
        }
        if (running) {
            wanted = true;
            return;
        }
        running = true;
        LOG.debugf("magicsock: starting endpoint update (%s)", why);
        netcheck.run(map).onComplete(r -> {
            running = false;
            if (closed) {
                return;
            }
            if (r.succeeded()) {
                onReport.accept(r.result());
            } else {
                LOG.debugf("magicsock: endpoint update failed: %s", r.cause().getMessage());
            }
            if (wanted) {
                wanted = false;
                reStun("queued");
            } else {
                schedulePeriodic();
            }
        });
    }

    @Override
    public void onStunResponse(byte[] packet, InetSocketAddress from) {
        if (!transactions.receive(Buffer.buffer(packet), from)) {
            drops.count(MagicDrop.STUN_UNHANDLED);
        }
    }

    void close() {
        closed = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private void schedulePeriodic() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        long delay = RESTUN_MIN.toMillis() + ThreadLocalRandom.current().nextLong(RESTUN_JITTER.toMillis());
        timer = vertx.setTimer(delay, id -> {
            timer = -1;
            reStun("periodic");
        });
    }
}
