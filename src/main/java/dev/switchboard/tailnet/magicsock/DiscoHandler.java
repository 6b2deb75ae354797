package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.tailnet.disco.DiscoKey;
import dev.switchboard.tailnet.disco.DiscoMessage;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Dispatches an opened disco message to the peer(s) it concerns ({@code magicsock.go handleDiscoMessage},
 * {@code handlePingLocked}) and returns what to send. Pure: the caller seals and transmits. Owned by the magicsock
 * event loop, like the {@link PeerMap} it updates.
 */
public final class DiscoHandler {
    /** Something the caller must do. */
    public sealed interface Action {
        /**
         * Send {@code Pong(txId, observed)} back the way the ping came: to a UDP address, or (when {@code to} is a
         * {@link DerpMagicAddress}) via DERP to node key {@code peer}, sealed for {@code recipient}, the ping's sender.
         */
        record SendPong(InetSocketAddress to, NodeKey peer, DiscoKey recipient, TxId txId, InetSocketAddress observed)
                implements Action {
        }

        /** Send {@code round}'s pings (and CallMeMaybe, if any) for {@code peer}. */
        record SendPings(PathEndpoint peer, PingRound round) implements Action {
        }

        /** {@code peer}'s best path moved (for logs and status; sending already follows it). */
        record PathChanged(PathEndpoint peer, PathChange change) implements Action {
        }
    }

    private final PeerMap peers;

    public DiscoHandler(PeerMap peers) {
        this.peers = peers;
    }

    /** Handles a message {@link DiscoDemux} routed as disco. */
    public List<Action> handle(DiscoDemux.Route.Disco d, long now) {
        return switch (d.message()) {
            case DiscoMessage.Ping ping -> onPing(d, ping, now);
            case DiscoMessage.Pong pong -> onPong(d, pong, now);
            case DiscoMessage.CallMeMaybe cmm -> onCallMeMaybe(d, cmm, now);
        };
    }

    /**
     * A ping: answer it, remember a UDP source as a candidate, and tie that source to the peer when the peer is
     * unambiguous (its {@code Ping.NodeKey} names a peer with this disco key, or only one peer has the disco key). Via
     * DERP the peer is the DERP source, which must own the sender's disco key (Tailscale does not check; we do not
     * reflect pongs to strangers).
     */
    private List<Action> onPing(DiscoDemux.Route.Disco d, DiscoMessage.Ping ping, long now) {
        TxId txId = TxId.of(ping.txId());
        if (d.derpFrom() != null) {
            Optional<PathEndpoint> ep = peers.endpointForNodeKey(d.derpFrom())
                    .filter(e -> e.discoKey().map(d.sender()::equals).orElse(false));
            if (ep.isEmpty() || ep.get().onPing(d.src(), txId, now) != PingAction.REPLY) {
                return List.of();
            }
            return List.of(new Action.SendPong(d.src(), d.derpFrom(), d.sender(), txId, d.src()));
        }
        List<PathEndpoint> eps = ping.nodeKey() == null ? List.of()
                : peers.endpointForNodeKey(ping.nodeKey()).filter(e -> e.discoKey().map(d.sender()::equals)
                        .orElse(false)).map(List::of).orElse(List.of());
        if (eps.isEmpty()) {
            eps = peers.endpointsWithDiscoKey(d.sender());
        }
        List<PathEndpoint> replying = new ArrayList<>();
        for (PathEndpoint ep : eps) {
            switch (ep.onPing(d.src(), txId, now)) {
                case DUPLICATE -> {
                    return List.of();
                }
                case REPLY -> replying.add(ep);
                case IGNORE -> { }
            }
        }
        if (replying.isEmpty()) {
            return List.of();
        }
        if (eps.size() == 1) {
            peers.setNodeKeyForIpPort(d.src(), eps.getFirst().publicKey());
        }
        return List.of(new Action.SendPong(d.src(), null, d.sender(), txId, d.src()));
    }

    /** A pong: the first peer with this disco key that sent the TxID takes it ({@code handlePongConnLocked}). */
    private List<Action> onPong(DiscoDemux.Route.Disco d, DiscoMessage.Pong pong, long now) {
        TxId txId = TxId.of(pong.txId());
        for (PathEndpoint ep : peers.endpointsWithDiscoKey(d.sender())) {
            if (ep.onPong(txId, d.src(), now) instanceof PongOutcome.Accepted ok) {
                if (ok.tieSource()) {
                    peers.setNodeKeyForIpPort(d.src(), ep.publicKey());
                }
                return ok.change() == null ? List.of() : List.of(new Action.PathChanged(ep, ok.change()));
            }
        }
        return List.of();
    }

    /** A CallMeMaybe, which {@link DiscoDemux} has checked came via DERP from the owner of the sender key. */
    private List<Action> onCallMeMaybe(DiscoDemux.Route.Disco d, DiscoMessage.CallMeMaybe cmm, long now) {
        if (d.derpFrom() == null) {
            return List.of();
        }
        return peers.endpointForNodeKey(d.derpFrom())
                .map(ep -> new Action.SendPings(ep, ep.onCallMeMaybe(cmm.endpoints(), now)))
                .filter(a -> !a.round().isEmpty())
                .<List<Action>>map(List::of).orElse(List.of());
    }
}
