package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.tailnet.disco.DiscoKey;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

import static dev.switchboard.tailnet.magicsock.EndpointState.NEVER;

/**
 * One peer's path state ({@code wgengine/magicsock/endpoint.go endpoint}, Coder fork): which of DERP and a direct
 * UDP address its packets take, and the disco pings that find and keep the direct one. Pure: no sockets, no timers;
 * every method takes {@code now} (nanos of the injected monotonic clock) and returns what to send.
 *
 * <p>The object is the peer's WireGuard endpoint identity: WireGuard holds it for the peer's whole life while
 * {@code bestAddr} changes underneath, which is why roaming never needs a new handshake.
 *
 * <p>Owned by the magicsock event loop: every field below is read and written only there, so nothing is locked.
 */
public final class PathEndpoint {
    private static final long TRUST = MagicsockConstants.TRUST_UDP_ADDR_DURATION.toNanos();
    private static final long PING_INTERVAL = MagicsockConstants.DISCO_PING_INTERVAL.toNanos();
    private static final long UPGRADE = MagicsockConstants.UPGRADE_INTERVAL.toNanos();
    private static final long GOOD_ENOUGH = MagicsockConstants.GOOD_ENOUGH_LATENCY.toNanos();
    private static final long SESSION_ACTIVE = MagicsockConstants.SESSION_ACTIVE_TIMEOUT.toNanos();

    private final NodeKey publicKey;
    private final RandomGenerator random;

    // Owned by the magicsock event loop.
    private DiscoKey discoKey;
    private DerpMagicAddress derpAddr;
    private boolean blockEndpoints;
    private final Candidates candidates = new Candidates();
    private final SentPings sentPings = new SentPings();
    private AddrLatency bestAddr;
    private long trustBestAddrUntil = NEVER;
    private long lastSend = NEVER;
    private long lastFullPing = NEVER;
    private boolean heartbeatScheduled;

    /**
     * @param random TxID source: {@code SecureRandom} in production (Tailscale uses {@code crypto/rand}), seeded in
     *               tests
     * @param blockEndpoints relay-only ({@code BlockEndpoints}): DERP for everything, no candidates, no pings
     */
    public PathEndpoint(NodeKey publicKey, RandomGenerator random, boolean blockEndpoints) {
        this.publicKey = Objects.requireNonNull(publicKey);
        this.random = Objects.requireNonNull(random);
        this.blockEndpoints = blockEndpoints;
    }

    public NodeKey publicKey() {
        return publicKey;
    }

    public Optional<DiscoKey> discoKey() {
        return Optional.ofNullable(discoKey);
    }

    public Optional<DerpMagicAddress> derpAddr() {
        return Optional.ofNullable(derpAddr);
    }

    public Optional<AddrLatency> bestAddr() {
        return Optional.ofNullable(bestAddr);
    }

    /** Whether {@code bestAddr} is trusted for UDP-only sending at {@code now}. */
    public boolean trusted(long now) {
        return bestAddr != null && trustBestAddrUntil != NEVER && now - trustBestAddrUntil <= 0;
    }

    public List<InetSocketAddress> candidates() {
        return candidates.addresses();
    }

    /** Outstanding pings (for tests and status). */
    public int outstandingPings() {
        return sentPings.size();
    }

    /**
     * {@code updateFromNode}: a new coordinator {@code Node} for this peer. A changed disco key means the peer
     * restarted, so everything learned is void ({@code resetLocked}: back to DERP-only). {@code derp} {@code null}
     * clears the DERP path; the caller drops updates with {@code preferred_derp = 0} beforehand, as Coder does.
     * In relay-only mode the endpoints are stripped ({@code configmaps.go}).
     */
    public void updateFromNode(DiscoKey disco, DerpMagicAddress derp, List<InetSocketAddress> endpoints, long now) {
        if (!Objects.equals(disco, discoKey)) {
            discoKey = disco;
            reset();
        }
        derpAddr = derp;
        forget(candidates.updateFromNode(blockEndpoints ? List.of() : endpoints, now, bestAddrOrNull()));
    }

    /** {@link #updateFromNode(DiscoKey, DerpMagicAddress, List, long)} from a converted coordinator update. */
    public void updateFromNode(PeerNode node, long now) {
        if (!node.key().equals(publicKey)) {
            throw new IllegalArgumentException("node " + node.key() + " is not peer " + publicKey);
        }
        updateFromNode(node.disco(), node.derp(), node.endpoints(), now);
    }

    /**
     * Turns relay-only mode on or off. Turning it on drops all UDP state; the result is where to send an empty
     * CallMeMaybe so the peer forgets the endpoints we advertised earlier (spec of {@code BlockEndpoints}).
     */
    public Optional<DerpMagicAddress> setBlockEndpoints(boolean block) {
        boolean turnedOn = block && !blockEndpoints;
        blockEndpoints = block;
        if (!turnedOn) {
            return Optional.empty();
        }
        forget(candidates.clear());
        sentPings.clear();
        return Optional.ofNullable(derpAddr);
    }

    /** {@code addrForSendLocked}: trusted {@code bestAddr} alone, else {@code bestAddr} (if any) plus DERP. */
    public SendTargets sendTargets(long now) {
        if (blockEndpoints) {
            return new SendTargets(null, derpAddr);
        }
        if (trusted(now)) {
            return new SendTargets(bestAddr.addr(), null);
        }
        return new SendTargets(bestAddrOrNull(), derpAddr);
    }

    /**
     * {@code send}: WireGuard wants to send a packet. Without a trusted path a full ping round starts (rate-limited
     * per candidate by {@code discoPingInterval}); either way the session counts as active.
     */
    public SendPlan onSend(long now) {
        SendTargets targets = sendTargets(now);
        PingRound round = PingRound.NONE;
        if (!trusted(now)) {
            round = pingsToSend(now);
        }
        return noteActive(targets, round, now);
    }

    /** {@code noteActiveLocked}: the session is active; the heartbeat timer starts if it was idle. */
    private SendPlan noteActive(SendTargets targets, PingRound round, long now) {
        lastSend = now;
        boolean start = !heartbeatScheduled;
        heartbeatScheduled = true;
        return new SendPlan(targets, round, start);
    }

    /**
     * {@code sendDiscoPingsLocked(now, true)}: a full round. Stale candidates are dropped, every candidate not pinged
     * in the last 5 s is pinged, and if any was, a CallMeMaybe via DERP asks the peer to ping back so both NATs open.
     */
    public PingRound pingsToSend(long now) {
        return fullRound(now, true);
    }

    /**
     * {@code heartbeat}, every 3 s while the session is active: ping {@code bestAddr}, and run a full round when there
     * is no trusted path, none has run yet, or the last is a minute old and the path is slower than 5 ms.
     */
    public HeartbeatPlan heartbeat(long now) {
        heartbeatScheduled = false;
        if (lastSend == NEVER || now - lastSend > SESSION_ACTIVE) {
            return new HeartbeatPlan(PingRound.NONE, false);
        }
        List<PingRequest> pings = new ArrayList<>();
        InetSocketAddress udp = sendTargets(now).udp();
        if (udp != null) {
            startPing(udp, now, PingPurpose.HEARTBEAT, pings);
        }
        DerpMagicAddress cmm = null;
        if (wantFullPing(now)) {
            PingRound round = fullRound(now, true);
            pings.addAll(round.pings());
            cmm = round.callMeMaybeVia();
        }
        heartbeatScheduled = true;
        return new HeartbeatPlan(new PingRound(pings, cmm), true);
    }

    /**
     * {@code cliPing}, for {@code coder ping} and Coder's reachability checks: ping via DERP unless the path is
     * trusted (always in relay-only mode), and the trusted {@code bestAddr}, else every candidate. The first
     * {@link PongOutcome.Accepted} for this peer answers it (Tailscale completes all pending CLI pings on any pong).
     * Counts as activity, like a send; the plan's targets are where data would go, not where these pings go.
     */
    public SendPlan cliPing(long now) {
        List<PingRequest> pings = new ArrayList<>();
        SendTargets t = sendTargets(now);
        if (t.derp() != null) {
            startPing(t.derp().toSocketAddress(), now, PingPurpose.CLI, pings);
        }
        if (t.udp() != null && trusted(now)) {
            startPing(t.udp(), now, PingPurpose.CLI, pings);
        } else if (!blockEndpoints) {
            candidates.addresses().forEach(ep -> startPing(ep, now, PingPurpose.CLI, pings));
        }
        return noteActive(t, new PingRound(pings, null), now);
    }

    /**
     * {@code handlePongConnLocked}: a Pong from {@code src} (a UDP address, or the DERP magic address). Latency is
     * measured against our ping; a UDP pong may replace {@code bestAddr} ({@link AddrLatency#betterAddr}), and a pong
     * for {@code bestAddr} itself refreshes its latency and trusts it for 6.5 s.
     */
    public PongOutcome onPong(TxId txId, InetSocketAddress src, long now) {
        SentPings.SentPing sp = sentPings.take(txId, now);
        if (sp == null) {
            return new PongOutcome.NotOurs();
        }
        long latency = now - sp.at();
        if (DerpMagicAddress.isDerp(src)) {
            return new PongOutcome.Accepted(sp.to(), latency, false, null);
        }
        EndpointState st = candidates.get(sp.to());
        if (st == null) {
            // No longer a candidate we care about (pruned, or relay-only since the ping left).
            return new PongOutcome.Accepted(sp.to(), latency, false, null);
        }
        st.lastPongLatencyNanos = latency;
        AddrLatency thisPong = new AddrLatency(sp.to(), latency);
        PathChange change = null;
        if (AddrLatency.betterAddr(thisPong, bestAddr)) {
            change = new PathChange(bestAddr, thisPong);
            bestAddr = thisPong;
        }
        if (bestAddr.addr().equals(thisPong.addr())) {
            bestAddr = thisPong;
            trustBestAddrUntil = now + TRUST;
        }
        return new PongOutcome.Accepted(sp.to(), latency, true, change);
    }

    /**
     * {@code handleCallMeMaybe}: the peer pinged us and asks to be pinged back. The caller has checked that it came
     * via DERP from this peer's node key with this peer's disco key. Forgets earlier CallMeMaybe addresses not listed,
     * then pings every candidate now, without a CallMeMaybe back (that would loop). Ignored in relay-only mode.
     */
    public PingRound onCallMeMaybe(List<InetSocketAddress> endpoints, long now) {
        if (blockEndpoints) {
            return PingRound.NONE;
        }
        forget(candidates.applyCallMeMaybe(endpoints, now, bestAddrOrNull()));
        candidates.resetLastPings();
        return fullRound(now, false);
    }

    /**
     * A verified disco Ping from this peer arrived from {@code src}. The caller answers with a Pong of {@code src}
     * the same way (DERP if it came via DERP) unless told otherwise; a UDP source becomes a candidate.
     */
    public PingAction onPing(InetSocketAddress src, TxId txId, long now) {
        if (DerpMagicAddress.isDerp(src)) {
            return PingAction.REPLY;
        }
        if (blockEndpoints) {
            return PingAction.IGNORE;
        }
        List<InetSocketAddress> removed = new ArrayList<>();
        boolean duplicate = candidates.addFromPing(src, txId, now, bestAddrOrNull(), removed);
        forget(removed);
        return duplicate ? PingAction.DUPLICATE : PingAction.REPLY;
    }

    /** {@code noteConnectivityChange}: the local network changed, so no path is trusted until re-proven. */
    public void noteConnectivityChange() {
        clearBestAddr();
        candidates.states().forEach(s -> s.lastPing = NEVER);
    }

    private boolean wantFullPing(long now) {
        if (bestAddr == null || lastFullPing == NEVER) {
            return true;
        }
        if (!trusted(now)) {
            return true;
        }
        if (bestAddr.latencyNanos() <= GOOD_ENOUGH) {
            return false;
        }
        return now - lastFullPing >= UPGRADE;
    }

    private PingRound fullRound(long now, boolean sendCallMeMaybe) {
        lastFullPing = now;
        forget(candidates.pruneExpired(now));
        List<PingRequest> pings = new ArrayList<>();
        for (InetSocketAddress ep : candidates.addresses()) {
            if (!candidates.get(ep).pingedWithin(now, PING_INTERVAL)) {
                startPing(ep, now, PingPurpose.DISCOVERY, pings);
            }
        }
        boolean cmm = !pings.isEmpty() && sendCallMeMaybe && derpAddr != null;
        return new PingRound(pings, cmm ? derpAddr : null);
    }

    /** {@code startDiscoPingLocked}: records the ping so its pong can be matched; no disco key, no ping. */
    private void startPing(InetSocketAddress to, long now, PingPurpose purpose, List<PingRequest> out) {
        if (discoKey == null) {
            return;
        }
        if (purpose != PingPurpose.CLI) {
            EndpointState st = candidates.get(to);
            if (st == null) {
                return;
            }
            st.lastPing = now;
        }
        TxId txId = TxId.random(random);
        sentPings.put(txId, new SentPings.SentPing(to, now, purpose));
        out.add(new PingRequest(txId, to, purpose));
    }

    /** {@code deleteEndpointLocked}: a removed candidate can no longer be {@code bestAddr}. */
    private void forget(List<InetSocketAddress> removed) {
        if (bestAddr != null && removed.contains(bestAddr.addr())) {
            clearBestAddr();
        }
    }

    /** {@code resetLocked}: back to DERP-only, every candidate due for a ping; the heartbeat timer keeps running. */
    private void reset() {
        lastSend = NEVER;
        lastFullPing = NEVER;
        clearBestAddr();
        candidates.resetLastPings();
        sentPings.clear();
    }

    private void clearBestAddr() {
        bestAddr = null;
        trustBestAddrUntil = NEVER;
    }

    private InetSocketAddress bestAddrOrNull() {
        return bestAddr == null ? null : bestAddr.addr();
    }
}
