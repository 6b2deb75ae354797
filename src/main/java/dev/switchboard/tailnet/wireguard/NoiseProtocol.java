package dev.switchboard.tailnet.wireguard;

import dev.switchboard.derp.NodeKey;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s as WireGuard runs it (wireguard-go {@code device/noise-protocol.go}:
 * {@code CreateMessageInitiation}, {@code ConsumeMessageInitiation}, {@code CreateMessageResponse},
 * {@code ConsumeMessageResponse}, {@code BeginSymmetricSession}; whitepaper §5.4.2–5.4.3, §5.4.5). Messages are
 * produced without MACs: the caller's {@link CookieGenerator} adds mac1/mac2, and its {@link CookieChecker} checks them
 * before {@code consume*} is called. Ephemerals, timestamps and indices are parameters so that known-answer tests can
 * pin them. Stateless; the {@link Handshake} passed in is mutated only on success.
 */
public final class NoiseProtocol {
    private NoiseProtocol() {
    }

    /** Outcome of {@link #consumeInitiation}: the peer's handshake, or why it was dropped. */
    public record ConsumedInitiation(Handshake handshake, DropReason drop) {
    }

    /** Step 1–4 of the initiator: a 148-byte initiation with zero MACs; state becomes INITIATION_CREATED. */
    public static byte[] createInitiation(NoisePrivateKey local, Handshake hs, NoisePrivateKey ephemeral,
                                          byte[] timestamp, int senderIndex) {
        if (hs.precomputedStaticStatic == null) {
            throw new IllegalStateException("peer's static key gives a zero DH result");
        }
        byte[] msg = new byte[MessageType.INITIATION.size()];
        Messages.putType(msg, 0, MessageType.INITIATION);
        Messages.putU32(msg, Messages.INIT_SENDER, senderIndex);
        byte[] h = NoiseHelpers.mixHash(NoiseHelpers.initialHash(), hs.remoteStaticBytes, 0, 32);
        byte[] c = NoiseHelpers.initialChainKey();
        byte[] ePub = ephemeral.publicKey().toBytes();
        System.arraycopy(ePub, 0, msg, Messages.INIT_EPHEMERAL, 32);
        c = NoiseHelpers.kdf1(c, ePub);
        h = NoiseHelpers.mixHash(h, ePub, 0, 32);
        byte[] ss = ephemeral.sharedSecret(hs.remoteStaticBytes);
        if (ss == null) {
            throw new IllegalStateException("zero DH result");
        }
        byte[][] ck = NoiseHelpers.kdf2(c, ss);
        c = ck[0];
        seal(ck[1], local.publicKey().toBytes(), h, msg, Messages.INIT_STATIC);
        h = NoiseHelpers.mixHash(h, msg, Messages.INIT_STATIC, 48);
        ck = NoiseHelpers.kdf2(c, hs.precomputedStaticStatic);
        c = ck[0];
        seal(ck[1], timestamp, h, msg, Messages.INIT_TIMESTAMP);
        h = NoiseHelpers.mixHash(h, msg, Messages.INIT_TIMESTAMP, 28);
        hs.hash = h;
        hs.chainKey = c;
        hs.localEphemeral = ephemeral;
        hs.localIndex = senderIndex;
        hs.state = Handshake.State.INITIATION_CREATED;
        return msg;
    }

    /**
     * The responder's R1: decrypts the initiator's static key, finds its handshake through {@code lookup} (null if
     * unknown), decrypts the timestamp and applies the replay and flood guards. On success the peer's handshake holds
     * the initiation (INITIATION_CONSUMED). Never throws on attacker bytes.
     */
    public static ConsumedInitiation consumeInitiation(NoisePrivateKey local, byte[] msg, int off,
                                                       Function<NodeKey, Handshake> lookup, long nowNanos) {
        byte[] localPub = local.publicKey().toBytes();
        byte[] h = NoiseHelpers.mixHash(NoiseHelpers.initialHash(), localPub, 0, 32);
        byte[] c = NoiseHelpers.initialChainKey();
        byte[] ePub = Arrays.copyOfRange(msg, off + Messages.INIT_EPHEMERAL, off + Messages.INIT_EPHEMERAL + 32);
        c = NoiseHelpers.kdf1(c, ePub);
        h = NoiseHelpers.mixHash(h, ePub, 0, 32);
        byte[] ss = local.sharedSecret(ePub);
        if (ss == null) {
            return new ConsumedInitiation(null, DropReason.ZERO_DH_RESULT);
        }
        byte[][] ck = NoiseHelpers.kdf2(c, ss);
        c = ck[0];
        byte[] staticPub = open(ck[1], msg, off + Messages.INIT_STATIC, 48, h);
        if (staticPub == null) {
            return new ConsumedInitiation(null, DropReason.HANDSHAKE_DECRYPT_FAILED);
        }
        h = NoiseHelpers.mixHash(h, msg, off + Messages.INIT_STATIC, 48);
        Handshake hs = lookup.apply(NodeKey.of(staticPub));
        if (hs == null) {
            return new ConsumedInitiation(null, DropReason.UNKNOWN_PEER);
        }
        if (hs.precomputedStaticStatic == null) {
            return new ConsumedInitiation(null, DropReason.ZERO_DH_RESULT);
        }
        ck = NoiseHelpers.kdf2(c, hs.precomputedStaticStatic);
        c = ck[0];
        byte[] timestamp = open(ck[1], msg, off + Messages.INIT_TIMESTAMP, 28, h);
        if (timestamp == null) {
            return new ConsumedInitiation(null, DropReason.HANDSHAKE_DECRYPT_FAILED);
        }
        h = NoiseHelpers.mixHash(h, msg, off + Messages.INIT_TIMESTAMP, 28);
        if (!Tai64n.after(timestamp, hs.lastTimestamp)) {
            return new ConsumedInitiation(null, DropReason.REPLAYED_TIMESTAMP);
        }
        if (hs.hasConsumedInitiation
                && nowNanos - hs.lastInitiationConsumptionNanos <= WireGuardConstants.HANDSHAKE_INITIATION_RATE) {
            return new ConsumedInitiation(null, DropReason.INITIATION_FLOOD);
        }
        hs.hash = h;
        hs.chainKey = c;
        hs.remoteIndex = Messages.getU32(msg, off + Messages.INIT_SENDER);
        hs.remoteEphemeral = ePub;
        hs.lastTimestamp = timestamp;
        hs.hasConsumedInitiation = true;
        hs.lastInitiationConsumptionNanos = nowNanos;
        hs.state = Handshake.State.INITIATION_CONSUMED;
        return new ConsumedInitiation(hs, null);
    }

    /** R2–R4: a 92-byte response with zero MACs; state becomes RESPONSE_CREATED. */
    public static byte[] createResponse(Handshake hs, NoisePrivateKey ephemeral, int senderIndex) {
        if (hs.state != Handshake.State.INITIATION_CONSUMED) {
            throw new IllegalStateException("handshake not in state INITIATION_CONSUMED: " + hs.state);
        }
        byte[] msg = new byte[MessageType.RESPONSE.size()];
        Messages.putType(msg, 0, MessageType.RESPONSE);
        Messages.putU32(msg, Messages.RESP_SENDER, senderIndex);
        Messages.putU32(msg, Messages.RESP_RECEIVER, hs.remoteIndex);
        byte[] ePub = ephemeral.publicKey().toBytes();
        System.arraycopy(ePub, 0, msg, Messages.RESP_EPHEMERAL, 32);
        hs.mixHash(ePub);
        hs.mixKey(ePub);
        byte[] ee = ephemeral.sharedSecret(hs.remoteEphemeral);
        byte[] es = ephemeral.sharedSecret(hs.remoteStaticBytes);
        if (ee == null || es == null) {
            throw new IllegalStateException("zero DH result");
        }
        hs.mixKey(ee);
        hs.mixKey(es);
        byte[][] ctk = NoiseHelpers.kdf3(hs.chainKey, hs.presharedKey);
        hs.chainKey = ctk[0];
        hs.mixHash(ctk[1]);
        seal(ctk[2], new byte[0], hs.hash, msg, Messages.RESP_EMPTY);
        hs.hash = NoiseHelpers.mixHash(hs.hash, msg, Messages.RESP_EMPTY, 16);
        hs.localEphemeral = ephemeral;
        hs.localIndex = senderIndex;
        hs.state = Handshake.State.RESPONSE_CREATED;
        return msg;
    }

    /**
     * The initiator's side of R2–R4 for a response whose receiver index mapped to {@code hs}. Returns null on success
     * (state RESPONSE_CONSUMED) or the drop reason, leaving {@code hs} unchanged.
     */
    public static DropReason consumeResponse(NoisePrivateKey local, Handshake hs, byte[] msg, int off) {
        if (hs.state != Handshake.State.INITIATION_CREATED) {
            return DropReason.UNEXPECTED_RESPONSE;
        }
        byte[] ePub = Arrays.copyOfRange(msg, off + Messages.RESP_EPHEMERAL, off + Messages.RESP_EPHEMERAL + 32);
        byte[] h = NoiseHelpers.mixHash(hs.hash, ePub, 0, 32);
        byte[] c = NoiseHelpers.kdf1(hs.chainKey, ePub);
        byte[] ee = hs.localEphemeral.sharedSecret(ePub);
        byte[] se = local.sharedSecret(ePub);
        if (ee == null || se == null) {
            return DropReason.ZERO_DH_RESULT;
        }
        c = NoiseHelpers.kdf1(c, ee);
        c = NoiseHelpers.kdf1(c, se);
        byte[][] ctk = NoiseHelpers.kdf3(c, hs.presharedKey);
        c = ctk[0];
        h = NoiseHelpers.mixHash(h, ctk[1], 0, 32);
        if (open(ctk[2], msg, off + Messages.RESP_EMPTY, 16, h) == null) {
            return DropReason.HANDSHAKE_DECRYPT_FAILED;
        }
        h = NoiseHelpers.mixHash(h, msg, off + Messages.RESP_EMPTY, 16);
        hs.hash = h;
        hs.chainKey = c;
        hs.remoteIndex = Messages.getU32(msg, off + Messages.RESP_SENDER);
        hs.state = Handshake.State.RESPONSE_CONSUMED;
        return null;
    }

    /**
     * {@code BeginSymmetricSession}: (T1, T2) = KDF2(C, ε); T1 sends initiator → responder. Clears the handshake.
     */
    public static Keypair beginSymmetricSession(Handshake hs, long nowNanos) {
        byte[][] t = NoiseHelpers.kdf2(hs.chainKey, new byte[0]);
        boolean initiator;
        if (hs.state == Handshake.State.RESPONSE_CONSUMED) {
            initiator = true;
        } else if (hs.state == Handshake.State.RESPONSE_CREATED) {
            initiator = false;
        } else {
            throw new IllegalStateException("no completed handshake: " + hs.state);
        }
        Keypair kp = new Keypair(initiator ? t[0] : t[1], initiator ? t[1] : t[0], initiator, hs.localIndex,
                hs.remoteIndex, nowNanos);
        Arrays.fill(t[0], (byte) 0);
        Arrays.fill(t[1], (byte) 0);
        hs.clear();
        return kp;
    }

    /** Test hook: the transport keys a keypair would get (T1, T2), without clearing. */
    static byte[][] transportKeys(Handshake hs) {
        return NoiseHelpers.kdf2(hs.chainKey, new byte[0]);
    }

    /** AEAD(k, 0, plaintext, ad) into out[outOffset..]; a new Cipher per call (handshake path only). */
    private static void seal(byte[] key, byte[] plaintext, byte[] ad, byte[] out, int outOffset) {
        try {
            Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(new byte[12]));
            cipher.updateAAD(ad);
            cipher.doFinal(plaintext, 0, plaintext.length, out, outOffset);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing cannot fail", e);
        }
    }

    /** Opens AEAD(k, 0, ·, ad); null if the tag does not verify. */
    private static byte[] open(byte[] key, byte[] in, int offset, int length, byte[] ad) {
        try {
            Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(new byte[12]));
            cipher.updateAAD(ad);
            return cipher.doFinal(in, offset, length);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 unavailable", e);
        }
    }
}
