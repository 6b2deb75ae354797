package dev.switchboard.tailnet.tcp;

import java.util.Arrays;

/**
 * A connection's 4-tuple as seen from this stack: the remote address (16 bytes IPv6 or 4 bytes
 * IPv4) and port, and the local port (the local address is the stack's own). The stack keeps one
 * mutable instance to probe its table per segment without allocating and stores {@link #copy}s.
 * Owned by the stack's event loop.
 */
final class FlowKey {
    private final byte[] remote = new byte[16];
    private int remoteLength;
    private int remotePort;
    private int localPort;
    private int hash;

    FlowKey set(byte[] address, int offset, int length, int remotePort, int localPort) {
        System.arraycopy(address, offset, remote, 0, length);
        this.remoteLength = length;
        this.remotePort = remotePort;
        this.localPort = localPort;
        int h = 1;
        for (int i = 0; i < length; i++) {
            h = 31 * h + remote[i];
        }
        this.hash = (h * 31 + remotePort) * 65_537 + localPort;
        return this;
    }

    FlowKey copy() {
        return new FlowKey().set(remote, 0, remoteLength, remotePort, localPort);
    }

    byte[] remoteAddress() {
        return Arrays.copyOf(remote, remoteLength);
    }

    /** The internal address array (first {@link #remoteLength} bytes valid), for framing without a copy. */
    byte[] remoteBytes() {
        return remote;
    }

    int remoteLength() {
        return remoteLength;
    }

    int remotePort() {
        return remotePort;
    }

    int localPort() {
        return localPort;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowKey k && k.hash == hash && k.remotePort == remotePort && k.localPort == localPort
                && Arrays.equals(k.remote, 0, k.remoteLength, remote, 0, remoteLength);
    }
}
