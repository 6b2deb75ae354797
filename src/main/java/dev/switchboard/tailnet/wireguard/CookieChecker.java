package dev.switchboard.tailnet.wireguard;

import dev.switchboard.derp.NodeKey;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.XChaCha20Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

import java.security.SecureRandom;
import java.util.function.LongSupplier;

/**
 * Responder side of WireGuard's DoS defence (wireguard-go {@code device/cookie.go CookieChecker}; whitepaper §5.4.4,
 * §5.4.7). mac1 = MAC(HASH("mac1----" ‖ our static public), msg[..mac1]) is checked on every handshake message. When
 * the caller decides it is under load (wireguard-go: handshake queue ≥ {@code QueueHandshakeSize/8}), mac2 must be
 * MAC(cookie, msg[..mac2]) with cookie = MAC(Rsecret, source address bytes); otherwise a cookie reply is sent. Rsecret
 * is 32 random bytes, renewed at reply time when older than {@link #COOKIE_REFRESH_TIME_NANOS} (120 s). The cookie is
 * sealed with XChaCha20-Poly1305 under HASH("cookie--" ‖ our static public), a random 24-byte nonce and the triggering
 * mac1 as associated data. BouncyCastle's XChaCha20Poly1305 is used here: this is the handshake path, not the data path.
 *
 * <p>Owned by the caller's event loop (the device's receive path); not thread-safe.
 */
public final class CookieChecker {
    /** {@code CookieRefreshTime}, device/constants.go. */
    public static final long COOKIE_REFRESH_TIME_NANOS = 120_000_000_000L;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] mac1Key;
    private final byte[] encryptionKey;
    private final LongSupplier nanoClock;
    private final byte[] secret = new byte[32];
    private boolean secretSet;
    private long secretSetAt;

    public CookieChecker(NodeKey localStatic, LongSupplier nanoClock) {
        byte[] pk = localStatic.toBytes();
        this.mac1Key = NoiseHelpers.hash(NoiseHelpers.LABEL_MAC1, pk);
        this.encryptionKey = NoiseHelpers.hash(NoiseHelpers.LABEL_COOKIE, pk);
        this.nanoClock = nanoClock;
    }

    /** {@code CheckMAC1}: the 16 bytes before the last 16 are MAC(mac1Key, everything before them). */
    public boolean checkMac1(byte[] msg, int offset, int length) {
        int smac1 = length - 2 * NoiseHelpers.MAC_SIZE;
        byte[] expected = NoiseHelpers.mac(mac1Key, msg, offset, smac1);
        return NoiseHelpers.constantTimeEquals(expected, 0, msg, offset + smac1, NoiseHelpers.MAC_SIZE);
    }

    /** {@code CheckMAC2}: false if the secret is stale (so no cookie can be valid) or mac2 does not verify. */
    public boolean checkMac2(byte[] msg, int offset, int length, byte[] sourceAddress) {
        if (!secretFresh()) {
            return false;
        }
        byte[] cookie = NoiseHelpers.mac(secret, sourceAddress, 0, sourceAddress.length);
        int smac2 = length - NoiseHelpers.MAC_SIZE;
        byte[] expected = NoiseHelpers.mac(cookie, msg, offset, smac2);
        return NoiseHelpers.constantTimeEquals(expected, 0, msg, offset + smac2, NoiseHelpers.MAC_SIZE);
    }

    /**
     * {@code CreateReply}: a 64-byte cookie reply to {@code msg} (an initiation or response) addressed to the sender
     * index of that message ({@code receiverIndex}).
     */
    public byte[] createReply(byte[] msg, int offset, int length, int receiverIndex, byte[] sourceAddress) {
        if (!secretFresh()) {
            RANDOM.nextBytes(secret);
            secretSet = true;
            secretSetAt = nanoClock.getAsLong();
        }
        byte[] cookie = NoiseHelpers.mac(secret, sourceAddress, 0, sourceAddress.length);
        int smac1 = length - 2 * NoiseHelpers.MAC_SIZE;
        byte[] reply = new byte[MessageType.COOKIE_REPLY.size()];
        Messages.putType(reply, 0, MessageType.COOKIE_REPLY);
        Messages.putU32(reply, Messages.COOKIE_RECEIVER, receiverIndex);
        byte[] nonce = new byte[Messages.COOKIE_NONCE_SIZE];
        RANDOM.nextBytes(nonce);
        System.arraycopy(nonce, 0, reply, Messages.COOKIE_NONCE, nonce.length);
        XChaCha20Poly1305 aead = new XChaCha20Poly1305();
        aead.init(true, new ParametersWithIV(new KeyParameter(encryptionKey), nonce));
        aead.processAADBytes(msg, offset + smac1, NoiseHelpers.MAC_SIZE);
        int n = aead.processBytes(cookie, 0, cookie.length, reply, Messages.COOKIE_ENCRYPTED);
        try {
            aead.doFinal(reply, Messages.COOKIE_ENCRYPTED + n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("sealing cannot fail", e);
        }
        return reply;
    }

    private boolean secretFresh() {
        return secretSet && nanoClock.getAsLong() - secretSetAt <= COOKIE_REFRESH_TIME_NANOS;
    }
}
