package dev.switchboard.tailnet.wireguard;

import dev.switchboard.derp.NodeKey;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.XChaCha20Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

import java.util.function.LongSupplier;

/**
 * Sender side of WireGuard's MACs, one per peer (wireguard-go {@code device/cookie.go CookieGenerator}; whitepaper
 * §5.4.4). Adds mac1 keyed with HASH("mac1----" ‖ peer static public) to every handshake message we send, remembers it,
 * and after a cookie reply (decrypted with that last mac1 as associated data) adds mac2 = MAC(cookie, msg[..mac2]) for
 * {@link CookieChecker#COOKIE_REFRESH_TIME_NANOS}. It does not resend on a cookie: the retransmit timer does.
 *
 * <p>Owned by the peer's handshake (the caller's event loop); not thread-safe.
 */
public final class CookieGenerator {
    private final byte[] mac1Key;
    private final byte[] encryptionKey;
    private final LongSupplier nanoClock;
    private final byte[] cookie = new byte[NoiseHelpers.MAC_SIZE];
    private boolean cookieSet;
    private long cookieSetAt;
    private final byte[] lastMac1 = new byte[NoiseHelpers.MAC_SIZE];
    private boolean hasLastMac1;

    public CookieGenerator(NodeKey peerStatic, LongSupplier nanoClock) {
        byte[] pk = peerStatic.toBytes();
        this.mac1Key = NoiseHelpers.hash(NoiseHelpers.LABEL_MAC1, pk);
        this.encryptionKey = NoiseHelpers.hash(NoiseHelpers.LABEL_COOKIE, pk);
        this.nanoClock = nanoClock;
    }

    /** {@code AddMacs}: fills the last 32 bytes of a handshake message; mac2 stays zero without a fresh cookie. */
    public void addMacs(byte[] msg, int offset, int length) {
        int smac2 = length - NoiseHelpers.MAC_SIZE;
        int smac1 = smac2 - NoiseHelpers.MAC_SIZE;
        byte[] mac1 = NoiseHelpers.mac(mac1Key, msg, offset, smac1);
        System.arraycopy(mac1, 0, msg, offset + smac1, mac1.length);
        System.arraycopy(mac1, 0, lastMac1, 0, mac1.length);
        hasLastMac1 = true;
        if (!cookieSet || nanoClock.getAsLong() - cookieSetAt > CookieChecker.COOKIE_REFRESH_TIME_NANOS) {
            java.util.Arrays.fill(msg, offset + smac2, offset + length, (byte) 0);
            return;
        }
        byte[] mac2 = NoiseHelpers.mac(cookie, msg, offset, smac2);
        System.arraycopy(mac2, 0, msg, offset + smac2, mac2.length);
    }

    /** {@code ConsumeReply}: stores the cookie if the reply opens under our last mac1; false otherwise. */
    public boolean consumeReply(byte[] reply, int offset) {
        if (!hasLastMac1) {
            return false;
        }
        byte[] nonce = java.util.Arrays.copyOfRange(reply, offset + Messages.COOKIE_NONCE,
                offset + Messages.COOKIE_NONCE + Messages.COOKIE_NONCE_SIZE);
        XChaCha20Poly1305 aead = new XChaCha20Poly1305();
        aead.init(false, new ParametersWithIV(new KeyParameter(encryptionKey), nonce));
        aead.processAADBytes(lastMac1, 0, lastMac1.length);
        byte[] out = new byte[NoiseHelpers.MAC_SIZE];
        try {
            int n = aead.processBytes(reply, offset + Messages.COOKIE_ENCRYPTED,
                    NoiseHelpers.MAC_SIZE + Messages.TAG_SIZE, out, 0);
            aead.doFinal(out, n);
        } catch (InvalidCipherTextException | RuntimeException e) {
            return false;
        }
        System.arraycopy(out, 0, cookie, 0, cookie.length);
        cookieSet = true;
        cookieSetAt = nanoClock.getAsLong();
        return true;
    }
}
