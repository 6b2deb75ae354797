package dev.switchboard.derp;

import org.bouncycastle.math.ec.rfc7748.X25519;

import javax.crypto.KeyAgreement;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.HexFormat;

/**
 * A Curve25519 private key with its public key. Text form {@code privkey:<64 hex>}. {@link #toString()} never
 * reveals the key, so it cannot leak into logs by accident.
 */
public final class NodePrivateKey {
    public static final String TEXT_PREFIX = "privkey:";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final BigInteger BASE_POINT = BigInteger.valueOf(9);

    private final byte[] scalar;
    private final NodeKey publicKey;

    private NodePrivateKey(byte[] scalar) {
        this.scalar = scalar;
        this.publicKey = NodeKey.of(scalarMultBase(scalar));
    }

    /**
     * scalar·G with the JDK's XDH: the public key is the X25519 agreement with the base point (u = 9). The JDK and
     * not BouncyCastle, so that loading the server's key at start-up does not load BouncyCastle: its jar is signed,
     * which makes every class load a digest check and keeps its classes out of the AOT cache.
     */
    private static byte[] scalarMultBase(byte[] scalar) {
        try {
            KeyFactory factory = KeyFactory.getInstance("XDH");
            KeyAgreement agreement = KeyAgreement.getInstance("XDH");
            agreement.init(factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar)));
            agreement.doPhase(factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, BASE_POINT)), true);
            return agreement.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 unavailable in this JDK", e);
        }
    }

    /** A new random key, clamped as Tailscale clamps generated keys. */
    public static NodePrivateKey generate() {
        byte[] raw = new byte[DerpLimits.KEY_LEN];
        RANDOM.nextBytes(raw);
        raw[0] &= (byte) 248;
        raw[31] = (byte) ((raw[31] & 127) | 64);
        return new NodePrivateKey(raw);
    }

    public static NodePrivateKey of(byte[] raw) {
        if (raw.length != DerpLimits.KEY_LEN) {
            throw new IllegalArgumentException("private key must be 32 bytes, got " + raw.length);
        }
        return new NodePrivateKey(raw.clone());
    }

    /** Parses {@code privkey:<64 hex>}. */
    public static NodePrivateKey parse(String text) {
        String trimmed = text.strip();
        if (!trimmed.startsWith(TEXT_PREFIX) || trimmed.length() != TEXT_PREFIX.length() + 2 * DerpLimits.KEY_LEN) {
            throw new IllegalArgumentException("private key must be privkey: followed by 64 hex digits");
        }
        return new NodePrivateKey(HexFormat.of().parseHex(trimmed.substring(TEXT_PREFIX.length())));
    }

    public NodeKey publicKey() {
        return publicKey;
    }

    /** X25519 shared secret with a peer's public key (input of the NaCl box key derivation). */
    byte[] sharedSecret(NodeKey peer) {
        byte[] shared = new byte[X25519.POINT_SIZE];
        if (!X25519.calculateAgreement(scalar, 0, peer.toBytes(), 0, shared, 0)) {
            throw new IllegalArgumentException("low-order peer public key");
        }
        return shared;
    }

    /** The persisted text form; callers must keep it out of logs. */
    public String toText() {
        return TEXT_PREFIX + HexFormat.of().formatHex(scalar);
    }

    @Override
    public String toString() {
        return "privkey:<redacted " + publicKey.shortString() + ">";
    }
}
