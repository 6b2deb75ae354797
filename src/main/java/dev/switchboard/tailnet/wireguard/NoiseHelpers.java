package dev.switchboard.tailnet.wireguard;

import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The symmetric primitives of WireGuard's Noise_IKpsk2 (wireguard-go {@code device/noise-helpers.go},
 * {@code device/noise-protocol.go}; whitepaper §5.4): HASH is unkeyed BLAKE2s-256, MAC is <em>keyed</em> BLAKE2s with
 * a 16-byte output ({@code blake2s.New128(key)}), HMAC is HMAC-BLAKE2s-256 (64-byte block) and KDF1..3 is HKDF built
 * on that HMAC. These run on the handshake path only, so they allocate freely; the transport path never calls them.
 * Stateless and thread-safe.
 */
public final class NoiseHelpers {
    public static final String CONSTRUCTION = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
    public static final String IDENTIFIER = "WireGuard v1 zx2c4 Jason@zx2c4.com";
    public static final byte[] LABEL_MAC1 = "mac1----".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] LABEL_COOKIE = "cookie--".getBytes(StandardCharsets.US_ASCII);
    public static final int HASH_SIZE = 32;
    public static final int KEY_SIZE = 32;
    public static final int MAC_SIZE = 16;

    /** Ci = HASH(Construction) ({@code InitialChainKey} in noise-protocol.go init()). */
    private static final byte[] INITIAL_CHAIN_KEY = hash(CONSTRUCTION.getBytes(StandardCharsets.US_ASCII));
    /** Hi = HASH(Ci ‖ Identifier) ({@code InitialHash}). */
    private static final byte[] INITIAL_HASH = hash(INITIAL_CHAIN_KEY, IDENTIFIER.getBytes(StandardCharsets.US_ASCII));

    private NoiseHelpers() {
    }

    public static byte[] initialChainKey() {
        return INITIAL_CHAIN_KEY.clone();
    }

    public static byte[] initialHash() {
        return INITIAL_HASH.clone();
    }

    /** HASH(parts[0] ‖ parts[1] ‖ ...), BLAKE2s-256. */
    public static byte[] hash(byte[]... parts) {
        Blake2sDigest d = new Blake2sDigest(256);
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[HASH_SIZE];
        d.doFinal(out, 0);
        return out;
    }

    /** mixHash: H = HASH(H ‖ data) ({@code mixHash} in noise-protocol.go). */
    public static byte[] mixHash(byte[] h, byte[] data, int offset, int length) {
        Blake2sDigest d = new Blake2sDigest(256);
        d.update(h, 0, h.length);
        d.update(data, offset, length);
        byte[] out = new byte[HASH_SIZE];
        d.doFinal(out, 0);
        return out;
    }

    /** MAC(key, data): keyed BLAKE2s with a 16-byte digest ({@code mac1}/{@code mac2}, cookie.go). */
    public static byte[] mac(byte[] key, byte[] data, int offset, int length) {
        Blake2sDigest d = new Blake2sDigest(key, MAC_SIZE, null, null);
        d.update(data, offset, length);
        byte[] out = new byte[MAC_SIZE];
        d.doFinal(out, 0);
        return out;
    }

    /** HMAC-BLAKE2s-256 over the concatenation of {@code parts} ({@code HMAC1}/{@code HMAC2}, noise-helpers.go). */
    public static byte[] hmac(byte[] key, byte[]... parts) {
        HMac h = new HMac(new Blake2sDigest(256));
        h.init(new KeyParameter(key));
        for (byte[] p : parts) {
            h.update(p, 0, p.length);
        }
        byte[] out = new byte[HASH_SIZE];
        h.doFinal(out, 0);
        return out;
    }

    /** KDF1(ck, input) = T1 ({@code KDF1}, noise-helpers.go). */
    public static byte[] kdf1(byte[] chainKey, byte[] input) {
        return kdf(chainKey, input, 1)[0];
    }

    /** KDF2(ck, input) = (T1, T2). */
    public static byte[][] kdf2(byte[] chainKey, byte[] input) {
        return kdf(chainKey, input, 2);
    }

    /** KDF3(ck, input) = (T1, T2, T3). */
    public static byte[][] kdf3(byte[] chainKey, byte[] input) {
        return kdf(chainKey, input, 3);
    }

    /** prk = HMAC(ck, in); T1 = HMAC(prk, 0x01); Tn = HMAC(prk, Tn-1 ‖ n) (whitepaper §5.4, HKDF). */
    private static byte[][] kdf(byte[] chainKey, byte[] input, int n) {
        byte[] prk = hmac(chainKey, input);
        byte[][] out = new byte[n][];
        byte[] previous = new byte[0];
        for (int i = 0; i < n; i++) {
            previous = hmac(prk, previous, new byte[] {(byte) (i + 1)});
            out[i] = previous;
        }
        java.util.Arrays.fill(prk, (byte) 0);
        return out;
    }

    /** Constant-time equality of two MACs or tags ({@code hmac.Equal} in cookie.go). */
    public static boolean constantTimeEquals(byte[] a, int aOffset, byte[] b, int bOffset, int length) {
        int diff = 0;
        for (int i = 0; i < length; i++) {
            diff |= a[aOffset + i] ^ b[bOffset + i];
        }
        return diff == 0;
    }

    /** Constant-time equality of two whole arrays ({@link MessageDigest#isEqual}). */
    public static boolean constantTimeEquals(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    static boolean isZero(byte[] a) {
        int acc = 0;
        for (byte b : a) {
            acc |= b;
        }
        return acc == 0;
    }
}
