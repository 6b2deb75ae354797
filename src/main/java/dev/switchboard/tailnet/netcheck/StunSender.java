package dev.switchboard.tailnet.netcheck;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.net.InetSocketAddress;

/**
 * Sends one STUN datagram from whichever UDP socket owns the probing: the standalone runner's own sockets, or a
 * peer's magicsock socket so that the reflexive address learnt is that socket's (Tailscale's {@code STUNConn},
 * net/netcheck/netcheck.go). The future completes when the datagram was handed to the OS, or fails if it could not be.
 */
@FunctionalInterface
public interface StunSender {
    Future<Void> send(Buffer datagram, InetSocketAddress target);
}
