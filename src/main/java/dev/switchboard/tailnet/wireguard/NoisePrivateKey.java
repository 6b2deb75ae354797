package dev.switchboard.tailnet.wireguard;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodePrivateKey;
import org.bouncycastle.math.ec.rfc7748.X25519;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * An X25519 private key for WireGuard's static or ephemeral role ({@code NoisePrivateKey} in
 * wireguard-go {@code device/noise-types.go}). Tailscale uses the node key as the WireGuard static key, so
 * {@link #of(NodePrivateKey)} adopts one. The scalar is clamped on creation ({@code clamp()}). Immutable.
 */
public final class NoisePrivateKey {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] scalar;
    private final NodeKey publicKey;

    private NoisePrivateKey(byte[] scalar) {
        this.scalar = scalar;
        byte[] pub = new byte[X25519.POINT_SIZE];
        X25519.scalarMultBase(scalar, 0, pub, 0);
        this.publicKey = NodeKey.of(pub);
    }

    /** A fresh random key ({@code newPrivateKey}), used for every handshake's ephemeral. */
    public static NoisePrivateKey generate() {
        byte[] raw = new byte[X25519.SCALAR_SIZE];
        RANDOM.nextBytes(raw);
        return of(raw);
    }

    /** Adopts 32 raw bytes, clamping them as wireguard-go does; the caller's array is not kept. */
    public static NoisePrivateKey of(byte[] raw) {
        if (raw.length != X25519.SCALAR_SIZE) {
            throw new IllegalArgumentException("private key must be 32 bytes, got " + raw.length);
        }
        byte[] s = raw.clone();
        s[0] &= (byte) 248;
        s[31] = (byte) ((s[31] & 127) | 64);
        return new NoisePrivateKey(s);
    }

    /** The WireGuard static key of a Tailscale node is its node key ({@code types/key/node.go}). */
    public static NoisePrivateKey of(NodePrivateKey nodeKey) {
        String text = nodeKey.toText();
        return of(HexFormat.of().parseHex(text.substring(NodePrivateKey.TEXT_PREFIX.length())));
    }

    public NodeKey publicKey() {
        return publicKey;
    }

    /**
     * DH(this, peer) ({@code sharedSecret}). Returns null if the result is all zeros (a low-order point), which
     * wireguard-go treats as a failed handshake ({@code errZeroECDHResult}).
     */
    byte[] sharedSecret(byte[] peerPublic) {
        byte[] out = new byte[X25519.POINT_SIZE];
        if (!X25519.calculateAgreement(scalar, 0, peerPublic, 0, out, 0)) {
            return null;
        }
        return out;
    }

    @Override
    public String toString() {
        return "NoisePrivateKey<redacted " + publicKey.shortString() + ">";
    }
}
