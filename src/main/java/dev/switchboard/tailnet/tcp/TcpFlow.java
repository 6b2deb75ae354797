package dev.switchboard.tailnet.tcp;

import io.vertx.core.Promise;

import java.nio.ByteBuffer;

/**
 * A {@link TcpStack}'s record of one connection: its 4-tuple, the connection, the application's
 * socket, the listener that spawned it (until accepted) or the promise of an active open, and
 * the timer deadline the stack last queued for it. Owned by the stack's event loop.
 */
final class TcpFlow {
    final FlowKey key;
    final ByteBuffer peer;
    final TcpConnection connection;
    final TcpSocket socket;
    final TcpListener listener;
    // owned by the stack's event loop
    Promise<TcpSocket> connecting;
    long scheduled = Long.MAX_VALUE;
    boolean removed;

    TcpFlow(TcpStack stack, FlowKey key, ByteBuffer peer, TcpConfig config, SegmentSink sink, int iss,
            TcpListener listener, byte[] scratch, java.util.function.LongSupplier clock) {
        this.key = key;
        this.peer = peer;
        this.connection = new TcpConnection(config, clock, sink, iss);
        this.listener = listener;
        this.socket = new TcpSocket(stack, this, scratch);
    }
}
