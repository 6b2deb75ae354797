package dev.switchboard.derp;

import org.bouncycastle.crypto.engines.Salsa20Engine;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.bouncycastle.util.Pack;

import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * NaCl {@code crypto_box} (X25519 + XSalsa20-Poly1305), byte-compatible with Go's
 * {@code golang.org/x/crypto/nacl/box}. A sealed box is {@code Poly1305 tag(16) ‖ ciphertext}; on the DERP wire the
 * 24-byte nonce precedes it. BouncyCastle has no public HSalsa20, so the key derivation builds it from
 * {@link Salsa20Engine#salsaCore} by undoing that function's final addition.
 */
public final class NaclBox {
    public static final int TAG_LEN = 16;
    private static final int[] SIGMA = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    private static final SecureRandom RANDOM = new SecureRandom();

    private NaclBox() {
    }

    /** Seals with a fresh random nonce and returns {@code nonce ‖ tag ‖ ciphertext}. */
    public static byte[] sealWithRandomNonce(byte[] plaintext, NodePrivateKey sender, NodeKey recipient) {
        byte[] nonce = new byte[DerpLimits.NONCE_LEN];
        RANDOM.nextBytes(nonce);
        byte[] sealed = seal(plaintext, nonce, sender, recipient);
        byte[] out = new byte[nonce.length + sealed.length];
        System.arraycopy(nonce, 0, out, 0, nonce.length);
        System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
        return out;
    }

    /** {@code tag ‖ ciphertext} of {@code plaintext} under the given nonce. */
    public static byte[] seal(byte[] plaintext, byte[] nonce, NodePrivateKey sender, NodeKey recipient) {
        XSalsa20Engine stream = stream(sender, recipient, nonce);
        Poly1305 mac = macFromKeystream(stream);
        byte[] out = new byte[TAG_LEN + plaintext.length];
        stream.processBytes(plaintext, 0, plaintext.length, out, TAG_LEN);
        mac.update(out, TAG_LEN, plaintext.length);
        mac.doFinal(out, 0);
        return out;
    }

    /**
     * Opens {@code tag ‖ ciphertext}.
     *
     * @throws BoxOpenException if the box is too short or the tag does not verify
     */
    public static byte[] open(byte[] box, int offset, int length, byte[] nonce, NodePrivateKey recipient,
                              NodeKey sender) throws BoxOpenException {
        if (length < TAG_LEN) {
            throw new BoxOpenException("box shorter than its tag");
        }
        XSalsa20Engine stream = stream(recipient, sender, nonce);
        Poly1305 mac = macFromKeystream(stream);
        mac.update(box, offset + TAG_LEN, length - TAG_LEN);
        byte[] tag = new byte[TAG_LEN];
        mac.doFinal(tag, 0);
        if (!MessageDigest.isEqual(tag, java.util.Arrays.copyOfRange(box, offset, offset + TAG_LEN))) {
            throw new BoxOpenException("authentication tag mismatch");
        }
        byte[] plaintext = new byte[length - TAG_LEN];
        stream.processBytes(box, offset + TAG_LEN, plaintext.length, plaintext, 0);
        return plaintext;
    }

    /** {@code crypto_box_beforenm}: HSalsa20 of the X25519 shared secret, the key the box is sealed under. */
    public static byte[] sharedKey(NodePrivateKey own, NodeKey peer) {
        return hsalsa20(own.sharedSecret(peer), new byte[16]);
    }

    /** An XSalsa20 stream keyed with the box key. */
    private static XSalsa20Engine stream(NodePrivateKey own, NodeKey peer, byte[] nonce) {
        if (nonce.length != DerpLimits.NONCE_LEN) {
            throw new IllegalArgumentException("nonce must be 24 bytes");
        }
        XSalsa20Engine engine = new XSalsa20Engine();
        engine.init(true, new ParametersWithIV(new KeyParameter(hsalsa20(own.sharedSecret(peer), new byte[16])), nonce));
        return engine;
    }

    /** secretbox: the first 32 keystream bytes key Poly1305; the message is encrypted with the bytes after them. */
    private static Poly1305 macFromKeystream(XSalsa20Engine stream) {
        byte[] macKey = new byte[32];
        stream.processBytes(new byte[32], 0, 32, macKey, 0);
        Poly1305 poly = new Poly1305();
        poly.init(new KeyParameter(macKey));
        return poly;
    }

    /** HSalsa20 core: Salsa20 rounds without the feed-forward, output words 0,5,10,15,6,7,8,9. */
    static byte[] hsalsa20(byte[] key, byte[] input16) {
        int[] state = new int[16];
        state[0] = SIGMA[0];
        state[5] = SIGMA[1];
        state[10] = SIGMA[2];
        state[15] = SIGMA[3];
        Pack.littleEndianToInt(key, 0, state, 1, 4);
        Pack.littleEndianToInt(input16, 0, state, 6, 4);
        Pack.littleEndianToInt(key, 16, state, 11, 4);
        int[] mixed = new int[16];
        Salsa20Engine.salsaCore(20, state, mixed);
        int[] words = {0, 5, 10, 15, 6, 7, 8, 9};
        byte[] out = new byte[32];
        for (int i = 0; i < words.length; i++) {
            int w = words[i];
            Pack.intToLittleEndian(mixed[w] - state[w], out, 4 * i);
        }
        return out;
    }

    /** A box that failed to open: wrong keys, wrong nonce or tampered bytes. */
    public static final class BoxOpenException extends Exception {
        public BoxOpenException(String message) {
            super(message);
        }
    }
}
