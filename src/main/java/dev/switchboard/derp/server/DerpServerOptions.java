package dev.switchboard.derp.server;

import dev.switchboard.config.MeshKey;
import dev.switchboard.derp.DerpLimits;

import java.time.Duration;

/**
 * Tunables of one relay. Defaults follow derper; tests shorten the timers.
 *
 * @param meshKey             the mesh key that grants mesh privileges ({@link MeshKey#none()} for none)
 * @param keepAlive           base keep-alive interval
 * @param keepAliveJitter     upper bound (exclusive) of the per-connection jitter added once to {@code keepAlive}
 * @param handshakeTimeout    deadline for ServerKey out and ClientInfo in
 * @param writeTimeout        how long a normal client's socket may stay unwritable before it is closed
 * @param meshWriteTimeout    the same for mesh peers
 * @param sendQueueDepth      packets per queue (normal and disco) per connection
 * @param backpressureTimeout how long a sender stays paused behind a full queue before its packet is dropped
 * @param controlQueueLimit   pending control frames (PeerGone, PeerPresent, ...) before the receiver is closed
 * @param receiveRate         per-client read budget (mesh peers exempt); {@link ReceiveRate#UNLIMITED} by default
 * @param maxConnectionsPerIp concurrent DERP connections one source IP may hold; 0 for no limit
 */
public record DerpServerOptions(MeshKey meshKey, Duration keepAlive, Duration keepAliveJitter,
                                Duration handshakeTimeout, Duration writeTimeout, Duration meshWriteTimeout,
                                int sendQueueDepth, Duration backpressureTimeout, int controlQueueLimit,
                                ReceiveRate receiveRate, int maxConnectionsPerIp) {
    public static final Duration DEFAULT_BACKPRESSURE_TIMEOUT = Duration.ofMillis(250);
    public static final int DEFAULT_CONTROL_QUEUE_LIMIT = 16384;

    public static DerpServerOptions defaults() {
        return new DerpServerOptions(MeshKey.none(), DerpLimits.KEEP_ALIVE, DerpLimits.KEEP_ALIVE_JITTER,
                DerpLimits.HANDSHAKE_TIMEOUT, DerpLimits.WRITE_TIMEOUT, DerpLimits.MESH_WRITE_TIMEOUT,
                DerpLimits.DEFAULT_PER_CLIENT_SEND_QUEUE_DEPTH, DEFAULT_BACKPRESSURE_TIMEOUT,
                DEFAULT_CONTROL_QUEUE_LIMIT, ReceiveRate.UNLIMITED, 0);
    }

    public DerpServerOptions withMeshKey(byte[] key) {
        return withMeshKey(MeshKey.of(key));
    }

    public DerpServerOptions withMeshKey(MeshKey key) {
        return new DerpServerOptions(key, keepAlive, keepAliveJitter, handshakeTimeout,
                writeTimeout, meshWriteTimeout, sendQueueDepth, backpressureTimeout, controlQueueLimit, receiveRate, maxConnectionsPerIp);
    }

    public DerpServerOptions withTimers(Duration keepAlive, Duration handshakeTimeout, Duration writeTimeout) {
        return new DerpServerOptions(meshKey, keepAlive, Duration.ofMillis(1), handshakeTimeout, writeTimeout,
                meshWriteTimeout, sendQueueDepth, backpressureTimeout, controlQueueLimit, receiveRate, maxConnectionsPerIp);
    }

    /** How long a sender may be paused behind a full queue before its packet is dropped ({@code queue_tail}). */
    public DerpServerOptions withBackpressureTimeout(Duration timeout) {
        return new DerpServerOptions(meshKey, keepAlive, keepAliveJitter, handshakeTimeout, writeTimeout,
                meshWriteTimeout, sendQueueDepth, timeout, controlQueueLimit, receiveRate, maxConnectionsPerIp);
    }

    public DerpServerOptions withReceiveRate(ReceiveRate rate) {
        return new DerpServerOptions(meshKey, keepAlive, keepAliveJitter, handshakeTimeout, writeTimeout,
                meshWriteTimeout, sendQueueDepth, backpressureTimeout, controlQueueLimit, rate, maxConnectionsPerIp);
    }

    public DerpServerOptions withMaxConnectionsPerIp(int max) {
        return new DerpServerOptions(meshKey, keepAlive, keepAliveJitter, handshakeTimeout, writeTimeout,
                meshWriteTimeout, sendQueueDepth, backpressureTimeout, controlQueueLimit, receiveRate, max);
    }
}
