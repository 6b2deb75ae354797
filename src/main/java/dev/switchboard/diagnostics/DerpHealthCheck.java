package dev.switchboard.diagnostics;

import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpNode;
import dev.switchboard.derpmap.DerpRegion;
import dev.switchboard.tailnet.netcheck.NetcheckReport;
import dev.switchboard.tailnet.netcheck.NodeAddresses;
import dev.switchboard.tailnet.netcheck.StandaloneNetcheck;
import dev.switchboard.tailnet.netcheck.StunTransactions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Coder's DERP health check (coder/coder coderd/healthcheck/derphealth/derp.go): every region and every node in
 * parallel, each node within {@link #NODE_TIMEOUT} (message exchange unless STUN-only, STUN test unless STUNPort
 * is -1), alongside one netcheck over the whole map; then {@link DerpHealthReport#of} aggregates.
 *
 * <p>Event-loop confined: everything runs on the netcheck's context; the netcheck log list is only touched there.
 */
public final class DerpHealthCheck {
    static final Duration NODE_TIMEOUT = Duration.ofSeconds(10);
    static final int STUN_ATTEMPTS = 3;
    static final Duration STUN_ATTEMPT_TIMEOUT = Duration.ofSeconds(1);

    private final Vertx vertx;
    private final StandaloneNetcheck netcheck;
    private final NodeAddresses addresses;
    private final boolean forceWebsockets;

    /** @param forceWebsockets the server's {@code derp_force_websockets}: DERP over WebSocket from the start */
    public DerpHealthCheck(Vertx vertx, StandaloneNetcheck netcheck, boolean forceWebsockets) {
        this.vertx = vertx;
        this.netcheck = netcheck;
        this.addresses = new NodeAddresses(vertx);
        this.forceWebsockets = forceWebsockets;
    }

    public Future<DerpHealthReport> run(DerpMap map) {
        Context context = netcheck.transactions().context();
        Promise<DerpHealthReport> result = Promise.promise();
        context.runOnContext(v -> {
            List<String> logs = new ArrayList<>();
            List<Future<DerpRegionReport>> regions = new ArrayList<>();
            for (DerpRegion region : map.regions().values()) {
                List<Future<DerpNodeReport>> nodes = region.nodes().stream().map(n -> checkNode(context, n)).toList();
                regions.add(Future.join(nodes).transform(ignored -> Future.succeededFuture(DerpRegionReport.of(region,
                        nodes.stream().filter(Future::succeeded).map(Future::result).toList()))));
            }
            Future<NetcheckReport> report = netcheck.report(map, line -> logs.add("netcheck: " + line));
            List<Future<?>> all = new ArrayList<>(regions);
            all.add(report);
            Future.join(all).onComplete(ignored ->
                    result.complete(DerpHealthReport.of(map, regions.stream().map(Future::result).toList(),
                            report.result(), report.failed() ? report.cause().getMessage() : null, logs)));
        });
        return result.future();
    }

    private Future<DerpNodeReport> checkNode(Context context, DerpNode node) {
        Future<DerpNodeReport.Exchange> exchange = node.stunOnly()
                ? Future.succeededFuture(DerpNodeReport.Exchange.notAttempted())
                : new MessageExchange(vertx, context, node, forceWebsockets, NODE_TIMEOUT).run();
        Future<StunReport> stun = node.stunPort() == -1 ? Future.succeededFuture(StunReport.DISABLED) : stunTest(node);
        return Future.join(exchange, stun).map(ignored -> DerpNodeReport.of(node, exchange.result(), stun.result()));
    }

    /** Coder's doSTUNTest: one Tailscale Binding request to the node's STUN address, here retried up to 3 times. */
    private Future<StunReport> stunTest(DerpNode node) {
        return addresses.healthCheckTarget(node)
                .recover(e -> Future.failedFuture("get stun addr: " + e.getMessage()))
                .compose(target -> attempt(netcheck.transactions(), target, 1))
                .map(response -> StunReport.answered())
                .otherwise(e -> StunReport.failed(e.getMessage()));
    }

    private static Future<StunTransactions.Response> attempt(StunTransactions stun, InetSocketAddress target,
                                                             int attempt) {
        return stun.start(target, STUN_ATTEMPT_TIMEOUT).response().recover(e -> attempt < STUN_ATTEMPTS
                ? attempt(stun, target, attempt + 1)
                : Future.failedFuture("probe stun: " + e.getMessage()));
    }
}
