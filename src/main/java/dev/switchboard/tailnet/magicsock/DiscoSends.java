package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.tailnet.disco.DiscoCodec;
import dev.switchboard.tailnet.disco.DiscoKey;
import dev.switchboard.tailnet.disco.DiscoMessage;
import dev.switchboard.tailnet.disco.DiscoPrivateKey;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The disco messages the conn sends (tailscale {@code magicsock.go} {@code sendDiscoMessage}, {@code
 * sendPingsLocked}, {@code sendCallMeMaybe}): pongs and path changes {@link DiscoHandler} decided on, ping rounds
 * to a peer's candidates with the CallMeMaybe through DERP that makes both sides punch at once, each sealed to the
 * peer's disco key and sent by UDP or, for a magic DERP address, through that region. Confined to the conn's loop.
 */
final class DiscoSends {
    private static final Logger LOG = Logger.getLogger(DiscoSends.class);

    private final NodePrivateKey nodeKey;
    private final DiscoPrivateKey disco;
    private final Map<NodeKey, MagicPeer> peers;
    private final OwnEndpoints ownEndpoints;
    private final DerpConnections derp;
    private final MagicSockets sockets;
    /** Asks for fresh endpoints; the report then releases the CallMeMaybes that waited for them. */
    private final Runnable reStun;
    private final BiConsumer<NodeKey, PathChange> pathChanged;

    DiscoSends(NodePrivateKey nodeKey, DiscoPrivateKey disco, Map<NodeKey, MagicPeer> peers, OwnEndpoints ownEndpoints,
               DerpConnections derp, MagicSockets sockets, Runnable reStun, BiConsumer<NodeKey, PathChange> pathChanged) {
        this.nodeKey = nodeKey;
        this.disco = disco;
        this.peers = peers;
        this.ownEndpoints = ownEndpoints;
        this.derp = derp;
        this.sockets = sockets;
        this.reStun = reStun;
        this.pathChanged = pathChanged;
    }

    void act(DiscoHandler.Action action) {
        switch (action) {
            case DiscoHandler.Action.SendPong pong -> send(pong.to(), pong.peer(),
                    DiscoCodec.seal(new DiscoMessage.Pong(pong.txId().toBytes(), pong.observed()), disco,
                            pong.recipient()));
            case DiscoHandler.Action.SendPings pings -> sendRound(peers.get(pings.peer().publicKey()), pings.round());
            case DiscoHandler.Action.PathChanged change -> {
                LOG.debugf("magicsock: disco: node %s now using %s", change.peer().publicKey().shortString(),
                        change.change().to());
                pathChanged.accept(change.peer().publicKey(), change.change());
            }
        }
    }

    void sendRound(MagicPeer p, PingRound round) {
        DiscoKey peerDisco = p == null ? null : p.path.discoKey().orElse(null);
        if (peerDisco == null) {
            return;
        }
        for (PingRequest ping : round.pings()) {
            send(ping.to(), p.path.publicKey(), DiscoCodec.seal(
                    new DiscoMessage.Ping(ping.txId().toBytes(), nodeKey.publicKey()), disco, peerDisco));
        }
        if (round.callMeMaybeVia() != null) {
            Optional<OwnEndpoints.CallMeMaybe> cmm = ownEndpoints.callMeMaybe(p.path.publicKey(),
                    round.callMeMaybeVia(), System.nanoTime());
            // Stale endpoints: re-STUN; its report releases every CallMeMaybe waiting on it (relay-only never waits).
            if (cmm.isPresent()) {
                sendCallMeMaybe(cmm.get());
            } else {
                reStun.run();
            }
        }
    }

    void sendCallMeMaybe(OwnEndpoints.CallMeMaybe cmm) {
        MagicPeer p = peers.get(cmm.peer());
        Optional<DiscoKey> peerDisco = p == null ? Optional.empty() : p.path.discoKey();
        peerDisco.ifPresent(key -> derp.send(cmm.via(), cmm.peer(), Buffer.buffer(
                DiscoCodec.seal(new DiscoMessage.CallMeMaybe(cmm.endpoints()), disco, key))));
    }

    /** To a UDP address, or via DERP (a magic address) to node key {@code peer}. */
    private void send(InetSocketAddress to, NodeKey peer, byte[] sealed) {
        Optional<DerpMagicAddress> region = DerpMagicAddress.of(to);
        if (region.isPresent()) {
            derp.send(region.get(), peer, Buffer.buffer(sealed));
        } else {
            sockets.send(Buffer.buffer(sealed), to);
        }
    }
}
