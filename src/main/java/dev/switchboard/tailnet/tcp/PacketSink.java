package dev.switchboard.tailnet.tcp;

/**
 * Where a {@link TcpStack} puts the IP packets it sends (IPv6 or IPv4, checksums filled), for the
 * peer engine to encrypt. The bytes are the stack's reusable frame, valid only during the call.
 */
@FunctionalInterface
public interface PacketSink {
    void send(byte[] packet, int offset, int length);
}
