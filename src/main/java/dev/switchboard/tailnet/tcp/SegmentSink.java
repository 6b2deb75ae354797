package dev.switchboard.tailnet.tcp;

/**
 * Where a {@link TcpConnection} puts the segments it sends. The sink knows the connection's
 * addresses and ports and frames the segment (IP header, {@link TcpSegment#writeHeader}, payload,
 * {@link TcpSegment#writeChecksum}); the connection knows only sequence space. {@code options}
 * and {@code data} are the connection's reusable scratch, valid only during the call, so the
 * sink copies or serializes before returning. Called on the connection's event loop.
 */
@FunctionalInterface
public interface SegmentSink {
    void send(int seq, int ack, int flags, int window, TcpOptions options, byte[] data, int offset, int length);
}
