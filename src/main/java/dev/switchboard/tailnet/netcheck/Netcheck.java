package dev.switchboard.tailnet.netcheck;

import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpRegion;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One full netcheck report over a DERP map (Tailscale's Client.GetReport, net/netcheck/netcheck.go v1.36.2): the
 * {@link ProbePlan}'s STUN probes through {@link StunTransactions}, at most {@link #STUN_PROBE_TIMEOUT} of them, then,
 * only if no UDP answer came at all, HTTP(S) latency through {@code /derp/latency-check} for the regions still
 * without a latency; everything is over within {@link #OVERALL_TIMEOUT}.
 *
 * <p>Unlike Tailscale's client it keeps no history (every report is a full one), does not stop early after three
 * regions (the health check wants every region), and does no hairpin, ICMP, port-mapping or captive-portal check.
 *
 * <p>Event-loop confined: {@link #run} must be called on the transactions' context, and all state lives there.
 */
public final class Netcheck {
    static final Duration STUN_PROBE_TIMEOUT = Duration.ofSeconds(3);
    static final Duration OVERALL_TIMEOUT = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final StunTransactions stun;
    private final Set<IpFamily> families;
    private final boolean osHasIpv6;
    private final NodeAddresses addresses;
    private final LatencyCheck latencyCheck;
    private final Consumer<String> log;

    /**
     * @param families  the families the sender can send over (a socket of each exists)
     * @param osHasIpv6 whether the OS could bind an IPv6 socket at all
     * @param log       netcheck's log lines (Coder shows them as {@code netcheck_logs})
     */
    public Netcheck(Vertx vertx, StunTransactions stun, Set<IpFamily> families, boolean osHasIpv6,
                    Consumer<String> log) {
        this.vertx = vertx;
        this.stun = stun;
        this.families = Set.copyOf(families);
        this.osHasIpv6 = osHasIpv6;
        this.addresses = new NodeAddresses(vertx);
        this.latencyCheck = new LatencyCheck(vertx);
        this.log = log;
    }

    public Future<NetcheckReport> run(DerpMap map) {
        Context context = stun.context();
        Promise<NetcheckReport> result = Promise.promise();
        context.runOnContext(v -> {
            ReportBuilder report = new ReportBuilder(osHasIpv6);
            long started = System.nanoTime();
            Map<String, List<ProbePlan.Probe>> plan = ProbePlan.initial(map, families);
            List<Future<Void>> sets = new ArrayList<>();
            plan.values().forEach(set -> sets.add(runSet(set, report)));
            Promise<Void> stunDone = Promise.promise();
            long stunTimer = vertx.setTimer(STUN_PROBE_TIMEOUT.toMillis(), id -> stunDone.tryComplete());
            Future.join(sets).onComplete(r -> stunDone.tryComplete());
            // A hard bound whatever DNS or a stalled connection does; anything still running is left out.
            long overallTimer = vertx.setTimer(OVERALL_TIMEOUT.toMillis(), id -> result.tryComplete(report.build(map)));
            stunDone.future().compose(ignored -> {
                vertx.cancelTimer(stunTimer);
                if (report.anyUdp()) {
                    return Future.succeededFuture();
                }
                Duration left = OVERALL_TIMEOUT.minusNanos(System.nanoTime() - started);
                return httpsFallback(map, report, left);
            }).onComplete(r -> {
                NetcheckReport built = report.build(map);
                log.accept(String.format("report: udp=%s v4=%s v6=%s mapvarydest=%s derp=%d", built.udp(),
                        built.ipv4(), built.ipv6(), built.mappingVariesByDestIp(), built.preferredDerp()));
                vertx.cancelTimer(overallTimer);
                result.tryComplete(built);
            });
        });
        return result.future();
    }

    /** One probe set: done at the first answer, or once every probe was skipped, failed or timed out. */
    private Future<Void> runSet(List<ProbePlan.Probe> set, ReportBuilder report) {
        Promise<Void> done = Promise.promise();
        int[] remaining = {set.size()};
        Runnable oneFinished = () -> {
            if (--remaining[0] == 0) {
                done.tryComplete();
            }
        };
        for (ProbePlan.Probe probe : set) {
            long regionId = probe.region().regionId();
            vertx.setTimer(Math.max(1, probe.delay().toMillis()), id -> {
                if (done.future().isComplete() || !report.probeWouldHelp(regionId, probe.family())) {
                    oneFinished.run();
                    return;
                }
                addresses.probeTarget(probe.node(), probe.family()).compose(target -> {
                    if (target.isEmpty()) {
                        return Future.failedFuture("no " + probe.family() + " address for node " + probe.node().name());
                    }
                    StunTransactions.Transaction tx = stun.start(target.get(),
                            STUN_PROBE_TIMEOUT.minus(probe.delay()));
                    tx.sent().onSuccess(s -> report.sent(probe.family()));
                    return tx.response();
                }).onComplete(r -> {
                    if (r.succeeded() && !done.future().isComplete()) {
                        report.addStunLatency(regionId, r.result().mapped(), r.result().rtt());
                        done.tryComplete();
                    } else if (r.failed()) {
                        log.accept("probe " + probe.node().name() + " " + probe.family() + ": "
                                + r.cause().getMessage());
                    }
                    oneFinished.run();
                });
            });
        }
        if (set.isEmpty()) {
            done.tryComplete();
        }
        return done.future();
    }

    private Future<Void> httpsFallback(DerpMap map, ReportBuilder report, Duration left) {
        List<Future<?>> checks = new ArrayList<>();
        if (left.isNegative() || left.isZero()) {
            return Future.succeededFuture();
        }
        log.accept("UDP is blocked, trying HTTPS");
        for (DerpRegion region : map.regions().values()) {
            if (report.hasLatency(region.regionId()) || region.nodes().stream().allMatch(n -> n.stunOnly())) {
                continue;
            }
            checks.add(latencyCheck.measure(region, left)
                    .onSuccess(r -> report.addHttpsLatency(region.regionId(), r.latency(), r.family()))
                    .onFailure(e -> log.accept("measuring HTTPS latency of " + region.regionCode() + " ("
                            + region.regionId() + "): " + e.getMessage())));
        }
        return Future.join(checks).<Void>mapEmpty().recover(e -> Future.succeededFuture());
    }
}
