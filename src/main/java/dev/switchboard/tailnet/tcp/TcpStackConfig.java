package dev.switchboard.tailnet.tcp;

/**
 * Limits of a {@link TcpStack}. Each connection holds its {@link TcpConfig} buffers, so
 * {@code maxConnections} × (receive + send buffer) bounds the stack's memory, whatever a SYN flood
 * sends; {@code maxPerPeer} keeps one tailnet peer from taking all of it. {@code resetsPerSecond}
 * rate-limits RSTs to unknown connections (as Linux's tcp_invalid_ratelimit limits its
 * challenge ACKs), so the stack cannot be made an amplifier. Ephemeral ports come from the IANA
 * dynamic range (RFC 6335 §6, RFC 6056).
 */
public record TcpStackConfig(TcpConfig connection, int maxConnections, int maxPerPeer, int resetsPerSecond,
                             int firstEphemeralPort, int lastEphemeralPort) {
    public TcpStackConfig {
        if (maxConnections <= 0 || maxPerPeer <= 0 || resetsPerSecond < 0 || firstEphemeralPort < 1
                || lastEphemeralPort > 65_535 || firstEphemeralPort > lastEphemeralPort) {
            throw new IllegalArgumentException("stack limits out of range");
        }
    }

    public static TcpStackConfig defaults() {
        return new TcpStackConfig(TcpConfig.defaults(), 1024, 256, 100, 49_152, 65_535);
    }

    public TcpStackConfig withLimits(int total, int perPeer) {
        return new TcpStackConfig(connection, total, perPeer, resetsPerSecond, firstEphemeralPort, lastEphemeralPort);
    }

    public TcpStackConfig withConnection(TcpConfig c) {
        return new TcpStackConfig(c, maxConnections, maxPerPeer, resetsPerSecond, firstEphemeralPort,
                lastEphemeralPort);
    }
}
