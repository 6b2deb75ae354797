package dev.switchboard.tailnet.magicsock;

import java.net.InetSocketAddress;

/**
 * One of our own UDP endpoints and where it came from (tailscale {@code tailcfg.Endpoint} and
 * {@code tailcfg.EndpointType}). Coder's {@code Node.endpoints} carries only the {@code ip:port}; the source is for
 * logs, diagnostics and tests.
 */
public record Endpoint(InetSocketAddress addr, Type type) {
    /** {@code tailcfg.EndpointType}, in Tailscale's numbering order (there is no port mapper here). */
    public enum Type {
        /** An address of a local interface with the bound port ({@code EndpointLocal}). */
        LOCAL,
        /** What a STUN server saw as our source ({@code EndpointSTUN}). */
        STUN,
        /** The STUN IPv4 address with our local port, guessed behind a hard NAT ({@code EndpointSTUN4LocalPort}). */
        STUN4_LOCAL_PORT
    }
}
