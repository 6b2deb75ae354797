package dev.switchboard.diagnostics;

import dev.switchboard.derpmap.AgentConnectionInfo;
import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.tailnet.netcheck.StandaloneNetcheck;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code coder netcheck} (coder/coder cli/netcheck.go): fetch the deployment's connection info, run the DERP report
 * over its map with sockets of our own, and list the local interfaces.
 */
public final class NetworkDiagnostics {
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

    private NetworkDiagnostics() {
    }

    public static Future<NetworkReport> gather(Vertx vertx, URI server, Optional<String> token) {
        return AgentConnectionInfo.fetch(vertx, server, token, FETCH_TIMEOUT)
                .compose(info -> report(vertx, info.derpMap(), info.derpForceWebsockets()));
    }

    /** The report for a map already in hand (tests give their own maps). */
    public static Future<NetworkReport> report(Vertx vertx, DerpMap map, boolean forceWebsockets) {
        Context context = vertx.getOrCreateContext();
        Future<InterfacesReport> interfaces = vertx.executeBlocking(InterfacesReport::local, false);
        Future<DerpHealthReport> derp = StandaloneNetcheck.open(vertx, context).compose(netcheck ->
                new DerpHealthCheck(vertx, netcheck, forceWebsockets).run(map).eventually(() -> {
                    netcheck.close();
                    return Future.succeededFuture();
                }));
        return Future.all(derp, interfaces).map(all -> new NetworkReport(derp.result(), interfaces.result()));
    }
}
