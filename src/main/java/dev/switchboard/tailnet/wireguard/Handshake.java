package dev.switchboard.tailnet.wireguard;

import dev.switchboard.derp.NodeKey;

import java.util.Arrays;

/**
 * Per-peer handshake state ({@code Handshake} in wireguard-go {@code device/noise-protocol.go}): the running chaining
 * key C and hash H, our ephemeral, the indices, the peer's static and ephemeral keys, DH(S_local, S_remote) precomputed,
 * and the replay/flood guards of the responder (last accepted TAI64N and the time of the last accepted initiation).
 * Fixed size: one per peer, so handshake state is bounded by the peer table.
 *
 * <p>Owned by the caller's event loop; not thread-safe.
 */
public final class Handshake {
    /** {@code handshakeZeroed} … {@code handshakeResponseConsumed}. */
    public enum State {
        ZEROED,
        INITIATION_CREATED,
        INITIATION_CONSUMED,
        RESPONSE_CREATED,
        RESPONSE_CONSUMED
    }

    State state = State.ZEROED;
    byte[] hash = new byte[NoiseHelpers.HASH_SIZE];
    byte[] chainKey = new byte[NoiseHelpers.HASH_SIZE];
    /** Tailscale and Coder never set a PSK: 32 zero bytes. */
    final byte[] presharedKey = new byte[NoiseHelpers.KEY_SIZE];
    NoisePrivateKey localEphemeral;
    int localIndex;
    int remoteIndex;
    final NodeKey remoteStatic;
    final byte[] remoteStaticBytes;
    byte[] remoteEphemeral = new byte[NoiseHelpers.KEY_SIZE];
    /** DH(S_local, S_remote); null if that is the zero point, which disables the peer. */
    final byte[] precomputedStaticStatic;
    byte[] lastTimestamp = new byte[Tai64n.SIZE];
    boolean hasConsumedInitiation;
    long lastInitiationConsumptionNanos;

    Handshake(NoisePrivateKey local, NodeKey remoteStatic) {
        this.remoteStatic = remoteStatic;
        this.remoteStaticBytes = remoteStatic.toBytes();
        this.precomputedStaticStatic = local.sharedSecret(remoteStaticBytes);
    }

    public State state() {
        return state;
    }

    public int localIndex() {
        return localIndex;
    }

    public NodeKey remoteStatic() {
        return remoteStatic;
    }

    void mixHash(byte[] data) {
        hash = NoiseHelpers.mixHash(hash, data, 0, data.length);
    }

    void mixKey(byte[] data) {
        chainKey = NoiseHelpers.kdf1(chainKey, data);
    }

    /** {@code Handshake.Clear}: forget the ephemeral and the symmetric state; keeps the replay guards. */
    void clear() {
        Arrays.fill(hash, (byte) 0);
        Arrays.fill(chainKey, (byte) 0);
        Arrays.fill(remoteEphemeral, (byte) 0);
        localEphemeral = null;
        localIndex = 0;
        remoteIndex = 0;
        state = State.ZEROED;
    }
}
