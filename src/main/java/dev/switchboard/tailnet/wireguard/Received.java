package dev.switchboard.tailnet.wireguard;

import dev.switchboard.tailnet.ip.IpPacket;

/**
 * What {@link WireGuardDevice#receive} made of one datagram (the branches of wireguard-go {@code RoutineHandshake} and
 * {@code RoutineSequentialReceiver}). Immutable; the packet in {@link Data} is a view into the caller's buffer.
 */
public sealed interface Received {
    /** A handshake response (or our keepalive confirming a session) to send to {@code peer.endpoint()}. */
    record Reply(WireGuardPeer peer, byte[] datagram) implements Received {
    }

    /** Under load: send this cookie reply back to the datagram's source; the handshake itself was dropped. */
    record CookieReply(byte[] datagram) implements Received {
    }

    /** A decrypted IP packet: a view into the caller's buffer, valid until the buffer is reused. */
    record Data(WireGuardPeer peer, IpPacket packet) implements Received {
    }

    /** An authenticated keepalive (or a cookie stored); nothing to deliver. */
    record Consumed(WireGuardPeer peer) implements Received {
    }

    record Dropped(DropReason reason) implements Received {
    }
}
