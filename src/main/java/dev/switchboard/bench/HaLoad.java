package dev.switchboard.bench;

import dev.switchboard.coordinator.client.CoordinatorClient;
import dev.switchboard.coordinator.proto.Node;
import io.vertx.core.Vertx;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;

/**
 * The coordinator across replicas (issue 15): agent i coordinates on replica {@code i % N}, its client on replica
 * {@code (i + 1) % N} — never the agent's — and opens a tunnel to it. Once every client has its agent's first node,
 * the agents publish {@code rounds} updates, each round spread evenly over {@code roundSpacing} (so the replicas see
 * a steady stream rather than one burst per round), and every client times each update across the replicas
 * ({@link NodeArrivals}). Then a reconnect storm: every peer hangs up at once and redials, as after a load balancer
 * flap (clients with their resume tokens, agents with a new node id so "converged" means the reconnected agent's
 * node reached its client), while {@link DatabaseWrites} samples what the replicas write.
 */
public final class HaLoad {
    /** Time allowed for every client to get its agent's node, at the start and after the storm. */
    private static final Duration CONVERGE_WITHIN = Duration.ofSeconds(120);
    /** Writes back at the idle rate for this long: the storm has settled. */
    private static final Duration QUIET = Duration.ofSeconds(3);
    private static final Duration SETTLE_WITHIN = Duration.ofSeconds(60);

    private final Vertx vertx;
    private final List<URI> replicas;
    private final List<URI> management;
    private final int agents;
    private final int rounds;
    private final Duration roundSpacing;

    /** @param management the replicas' management listeners, for their query timings ({@link DatabaseQueries}) */
    public HaLoad(Vertx vertx, List<URI> replicas, List<URI> management, int agents, int rounds, Duration roundSpacing) {
        this.vertx = vertx;
        this.replicas = List.copyOf(replicas);
        this.management = List.copyOf(management);
        this.agents = agents;
        this.rounds = rounds;
        this.roundSpacing = roundSpacing;
    }

    /**
     * @param propagation     one sample per timed update per client ({@code count} of {@code expected} arrived)
     * @param initialConverge connect to every client holding its agent's first node
     * @param baseline        the replicas' idle writes (heartbeats) just before the storm
     * @param storm           from the hang-up until writes were back at the idle rate for {@link #QUIET}
     * @param closeTime       hang-up of every peer until all were closed
     * @param reconverge      hang-up until the last client had its agent's node again; null if not all did
     * @param settled         whether the writes got back to the idle rate within {@link #SETTLE_WITHIN}
     * @param resumed         clients that redialled with a resume token (keeping their peer ID)
     * @param roundQueries    the replicas' database queries during the timed rounds
     * @param stormQueries    and during the storm
     */
    public record Result(LatencyStats propagation, long expected, int repeats, Duration initialConverge,
                         DatabaseWrites.Window baseline, DatabaseWrites.Window storm, Duration closeTime,
                         Duration reconverge, boolean settled, int peers, long resumed,
                         DatabaseQueries roundQueries, DatabaseQueries stormQueries) {
        /** Rows the storm wrote beyond the idle rate over the same time. */
        public double stormRows() {
            return Math.max(0, storm.rows() - baseline.rowsPerSecond() * storm.seconds());
        }

        public double rowsPerPeer() {
            return stormRows() / peers;
        }

        public boolean passed() {
            return propagation.count() == expected && reconverge != null && settled;
        }
    }

    /** @param tokens mints a token: for the agent when given its ID and {@code true}, else for a user who may reach it */
    public Result run(BiFunction<UUID, Boolean, String> tokens, DatabaseWrites writes) throws Exception {
        List<UUID> agentIds = new ArrayList<>();
        List<String> clientTokens = new ArrayList<>();
        List<Node> clientNodes = new ArrayList<>();
        for (int i = 0; i < agents; i++) {
            agentIds.add(UUID.randomUUID());
            clientTokens.add(tokens.apply(agentIds.get(i), false));
            clientNodes.add(CoordinatorPeers.clientNode());
        }
        NodeArrivals arrivals = new NodeArrivals(agents, rounds);
        boolean tls = "https".equalsIgnoreCase(replicas.getFirst().getScheme());
        try (CoordinatorPeers peers = new CoordinatorPeers(vertx, tls, 2 * agents + 16)) {
            NodeArrivals.Target initial = arrivals.expect(0);
            long started = System.nanoTime();
            List<CoordinatorClient> agentPeers = new ArrayList<>();
            List<CoordinatorClient> clientPeers = new ArrayList<>();
            connect(peers, tokens, agentIds, clientTokens, clientNodes, arrivals, 0, List.of(), agentPeers, clientPeers);
            converged(initial, "the agent's first node");
            Duration initialConverge = Duration.ofNanos(initial.lastArrivalNanos() - started);

            DatabaseQueries beforeRounds = DatabaseQueries.scrape(management);
            publishRounds(agentIds, agentPeers);
            arrivals.awaitTimed(Duration.ofSeconds(60));
            DatabaseQueries roundQueries = DatabaseQueries.scrape(management).since(beforeRounds);

            Thread.sleep(2000); // the rounds' last writes flushed, counters reported
            long quietFrom = System.nanoTime();
            Thread.sleep(4000);
            DatabaseWrites.Window baseline = DatabaseWrites.of(writes.between(quietFrom, System.nanoTime()));

            // A client fetches its resume token after it connected; give the slow ones time, as a real flap would.
            long tokensBy = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (clientPeers.stream().anyMatch(c -> c.resumeToken().isEmpty()) && System.nanoTime() < tokensBy) {
                Thread.sleep(100);
            }
            List<Optional<String>> resume = clientPeers.stream().map(CoordinatorClient::resumeToken).toList();
            NodeArrivals.Target again = arrivals.expect(rounds + 1);
            DatabaseQueries beforeStorm = DatabaseQueries.scrape(management);
            long hangUp = System.nanoTime();
            peers.closeAll();
            Duration closeTime = Duration.ofNanos(System.nanoTime() - hangUp);
            connect(peers, tokens, agentIds, clientTokens, clientNodes, arrivals, rounds + 1, resume,
                    new ArrayList<>(), new ArrayList<>());
            Duration reconverge = again.await(CONVERGE_WITHIN)
                    ? Duration.ofNanos(again.lastArrivalNanos() - hangUp) : null;
            long settledAt = settle(writes, baseline);
            DatabaseQueries stormQueries = DatabaseQueries.scrape(management).since(beforeStorm);
            // From the last sample before the hang-up: its counters are the storm's starting point.
            List<DatabaseWrites.Sample> before = writes.between(quietFrom, hangUp);
            long from = before.isEmpty() ? hangUp : before.getLast().nanos();
            DatabaseWrites.Window storm = DatabaseWrites.of(writes.between(from, settledAt < 0 ? System.nanoTime()
                    : settledAt));
            return new Result(arrivals.latency(), arrivals.expected(), arrivals.repeats(), initialConverge, baseline,
                    storm, closeTime, reconverge, settledAt >= 0, 2 * agents,
                    resume.stream().filter(Optional::isPresent).count(), roundQueries, stormQueries);
        }
    }

    /** Agents with node {@code agentNodeId}, then every agent's client (with {@code resume}'s token if any). */
    private void connect(CoordinatorPeers peers, BiFunction<UUID, Boolean, String> tokens, List<UUID> agentIds,
                         List<String> clientTokens, List<Node> clientNodes, NodeArrivals arrivals, long agentNodeId,
                         List<Optional<String>> resume, List<CoordinatorClient> agentPeers,
                         List<CoordinatorClient> clientPeers) {
        for (int i = 0; i < agents; i++) {
            UUID id = agentIds.get(i);
            agentPeers.add(peers.agent(replicas.get(i % replicas.size()), tokens.apply(id, true),
                    CoordinatorPeers.agentNode(id, agentNodeId)));
        }
        for (int i = 0; i < agents; i++) {
            int client = i;
            Optional<String> resumeToken = resume.isEmpty() ? Optional.empty() : resume.get(i);
            CoordinatorClient peer = peers.client(replicas.get((i + 1) % replicas.size()), clientTokens.get(i),
                    agentIds.get(i), resumeToken, Optional.of(clientNodes.get(i)),
                    (node, received) -> arrivals.record(client, node, received));
            clientPeers.add(peer);
        }
    }

    /** Round r: agent i publishes node r at {@code (r - 1 + i / agents) × roundSpacing} after the start. */
    private void publishRounds(List<UUID> agentIds, List<CoordinatorClient> agentPeers) {
        long start = System.nanoTime();
        for (int round = 1; round <= rounds; round++) {
            for (int i = 0; i < agents; i++) {
                long due = start + (long) ((round - 1 + (double) i / agents) * roundSpacing.toNanos());
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                agentPeers.get(i).updateSelf(CoordinatorPeers.agentNode(agentIds.get(i), round));
            }
        }
    }

    private void converged(NodeArrivals.Target target, String what) throws InterruptedException {
        if (!target.await(CONVERGE_WITHIN)) {
            throw new IllegalStateException(target.missing() + " of " + agents + " clients did not get " + what
                    + " within " + CONVERGE_WITHIN.toSeconds() + " s");
        }
    }

    /**
     * When the writes had been back at (about) the idle rate for {@link #QUIET}: the end of that quiet stretch, or
     * -1 if it did not come within {@link #SETTLE_WITHIN}.
     */
    private static long settle(DatabaseWrites writes, DatabaseWrites.Window baseline) throws InterruptedException {
        double idle = baseline.rowsPerSecond() * 1.5 + 2;
        long deadline = System.nanoTime() + SETTLE_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(250);
            long now = System.nanoTime();
            DatabaseWrites.Window last = DatabaseWrites.of(writes.between(now - QUIET.toNanos(), now));
            if (last.seconds() >= QUIET.toSeconds() * 0.6 && last.rowsPerSecond() <= idle) {
                return now;
            }
        }
        return -1;
    }
}
