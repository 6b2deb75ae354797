package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.stun.StunCodec;
import dev.switchboard.tailnet.disco.DiscoCodec;
import dev.switchboard.tailnet.disco.DiscoKey;
import dev.switchboard.tailnet.disco.DiscoMessage;
import dev.switchboard.tailnet.disco.DiscoPrivateKey;
import io.vertx.core.buffer.Buffer;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Sorts incoming packets into STUN, disco and WireGuard ({@code magicsock.go receiveIP}, {@code processDERPReadResult},
 * {@code handleDiscoMessage}). Disco is recognised by {@code disco.LooksLikeDiscoWrapper} (magic {@code TS💬}, key and
 * nonce present) and never reaches WireGuard, even when its box fails to open: WireGuard messages start with type
 * 1–4 (little-endian), never {@code 54 53 f0 9f}. Disco from a key no peer advertises is dropped before any crypto.
 * Owned by the magicsock event loop, which also owns the drop counters.
 */
public final class DiscoDemux {
    /** The peer map as the demux needs it. */
    public interface Peers {
        /** {@code peerMap.anyEndpointForDiscoKey}: some peer's {@code Node.disco} is {@code key}. */
        boolean hasDiscoKey(DiscoKey key);

        /** The disco key of the peer with node key {@code key} ({@code endpointForNodeKey}), if known. */
        Optional<DiscoKey> discoKeyOf(NodeKey key);
    }

    /** Why a packet went nowhere; each has a counter. */
    public enum DropReason {
        /** Disco whose sender key no peer advertises ({@code metricRecvDiscoBadPeer}). */
        UNKNOWN_SENDER,
        /** Disco-looking, but the box did not open ({@code metricRecvDiscoBadKey}). */
        BAD_BOX,
        /** A valid box with a type or body we do not parse; Tailscale ignores these silently. */
        UNKNOWN_TYPE,
        /**
         * CallMeMaybe over UDP. Tailscale honours it only via DERP ({@code handleDiscoMessage}): it means "I just
         * pinged you over UDP, ping me back", a signal that must travel on the path known to work.
         */
        CALL_ME_MAYBE_NOT_VIA_DERP,
        /** CallMeMaybe via DERP whose DERP source is not the peer owning the sender disco key. */
        CALL_ME_MAYBE_WRONG_PEER
    }

    /** Where a packet goes. */
    public sealed interface Route {
        /** A STUN response for netcheck. */
        record Stun(byte[] packet, InetSocketAddress from) implements Route {
        }

        /**
         * WireGuard: from {@code udpFrom} (the caller maps it to a peer and drops it if untied,
         * {@code peerMap.endpointForIPPort}) or from the peer with node key {@code derpFrom}.
         */
        record WireGuard(byte[] packet, InetSocketAddress udpFrom, NodeKey derpFrom) implements Route {
        }

        /**
         * An opened disco message. {@code src} is the UDP source or the {@link DerpMagicAddress} it came through;
         * {@code derpFrom} is the DERP source node key, {@code null} for UDP.
         */
        record Disco(DiscoKey sender, DiscoMessage message, InetSocketAddress src, NodeKey derpFrom) implements Route {
        }

        record Dropped(DropReason reason) implements Route {
        }
    }

    private final DiscoPrivateKey self;
    private final Peers peers;
    // Owned by the magicsock event loop.
    private final long[] dropped = new long[DropReason.values().length];

    public DiscoDemux(DiscoPrivateKey self, Peers peers) {
        this.self = Objects.requireNonNull(self);
        this.peers = Objects.requireNonNull(peers);
    }

    /** A datagram from the UDP socket: STUN, then disco, else WireGuard. */
    public Route fromUdp(byte[] datagram, InetSocketAddress src) {
        if (StunCodec.is(Buffer.buffer(datagram))) {
            return new Route.Stun(datagram, src);
        }
        if (DiscoCodec.looksLikeDisco(datagram)) {
            return disco(datagram, src, null);
        }
        return new Route.WireGuard(datagram, src, null);
    }

    /**
     * A RecvPacket payload from DERP region {@code region}, relayed from node key {@code srcKey}: disco first, else
     * WireGuard from that peer. The relay forwards disco like any packet, so it is checked the same way.
     */
    public Route fromDerp(byte[] payload, DerpMagicAddress region, NodeKey srcKey) {
        if (DiscoCodec.looksLikeDisco(payload)) {
            return disco(payload, region.toSocketAddress(), Objects.requireNonNull(srcKey));
        }
        return new Route.WireGuard(payload, null, srcKey);
    }

    public long dropped(DropReason reason) {
        return dropped[reason.ordinal()];
    }

    private Route disco(byte[] packet, InetSocketAddress src, NodeKey derpFrom) {
        // Look the sender up before opening: a flood of disco from strangers must not buy X25519 work.
        DiscoKey sender = DiscoKey.of(Arrays.copyOfRange(packet, 6, 38));
        if (!peers.hasDiscoKey(sender)) {
            return drop(DropReason.UNKNOWN_SENDER);
        }
        DiscoCodec.Opened opened = DiscoCodec.open(packet, self);
        if (!(opened instanceof DiscoCodec.Opened.Message m)) {
            return drop(opened instanceof DiscoCodec.Opened.UnknownType ? DropReason.UNKNOWN_TYPE : DropReason.BAD_BOX);
        }
        if (m.message() instanceof DiscoMessage.CallMeMaybe) {
            if (derpFrom == null) {
                return drop(DropReason.CALL_ME_MAYBE_NOT_VIA_DERP);
            }
            if (!peers.discoKeyOf(derpFrom).map(sender::equals).orElse(false)) {
                return drop(DropReason.CALL_ME_MAYBE_WRONG_PEER);
            }
        }
        return new Route.Disco(sender, m.message(), src, derpFrom);
    }

    private Route drop(DropReason reason) {
        dropped[reason.ordinal()]++;
        return new Route.Dropped(reason);
    }

    /**
     * The fast path's test: a WireGuard message type (1–4, little-endian u32) can be neither disco ({@code TS💬})
     * nor STUN (whose first two bytes are a message type with bit 0x0100 set for responses, so byte 1 ≠ 0 there).
     * Anything else takes {@link DiscoDemux}'s full sort on a private copy.
     */
    static boolean looksLikeWireGuard(byte[] b, int len) {
        return len >= 4 && b[0] >= 1 && b[0] <= 4 && b[1] == 0 && b[2] == 0 && b[3] == 0;
    }
}
