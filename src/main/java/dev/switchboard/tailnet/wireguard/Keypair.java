package dev.switchboard.tailnet.wireguard;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * One transport session's keys ({@code Keypair}, wireguard-go {@code device/keypair.go}; whitepaper §5.4.6): send and
 * receive ChaCha20-Poly1305 keys, the local and remote indices, the send counter and the receive replay filter.
 *
 * <p><b>AEAD choice.</b> The JDK's {@code ChaCha20-Poly1305} {@link Cipher}, one instance per direction, created once
 * per keypair and re-initialised per packet with the counter nonce (4 zero bytes ‖ counter u64 LE). It seals and opens
 * <em>in place</em> in the caller's array ({@code doFinal(in, off, len, in, off)} with identical offsets is allowed by
 * the {@code Cipher} contract), so the data path makes no buffer copies and no per-packet buffers; the only per-packet
 * garbage is the small {@link IvParameterSpec} the JCE API requires (escape-analysed in practice). BouncyCastle's
 * ChaCha20Poly1305 needs a fresh {@code ParametersWithIV} per packet too and has no intrinsics, so the JDK wins.
 *
 * <p>Owned by the caller's event loop. The send side (cipher, nonce, counter) and the receive side (cipher, nonce,
 * replay filter) share no mutable state, so one sending and one receiving thread may use a keypair concurrently.
 */
public final class Keypair {
    /** Result codes of {@link #open}; non-negative results are plaintext lengths. */
    public static final int OPEN_DECRYPT_FAILED = -1;
    public static final int OPEN_REPLAYED = -2;
    public static final int OPEN_EXPIRED = -3;
    /** {@link #seal} result when the counter is exhausted. */
    public static final int SEAL_EXHAUSTED = -1;

    private final SecretKeySpec sendKey;
    private final SecretKeySpec receiveKey;
    private final boolean isInitiator;
    private final int localIndex;
    private final int remoteIndex;
    private final long createdNanos;

    // Send side: owned by the sending thread.
    private final Cipher sendCipher;
    private final byte[] sendNonce = new byte[12];
    private long sendCounter;

    // Receive side: owned by the receiving thread.
    private final Cipher receiveCipher;
    private final byte[] receiveNonce = new byte[12];
    private final ReplayFilter replayFilter = new ReplayFilter();

    Keypair(byte[] sendKey, byte[] receiveKey, boolean isInitiator, int localIndex, int remoteIndex,
            long createdNanos) {
        this.sendKey = new SecretKeySpec(sendKey, "ChaCha20");
        this.receiveKey = new SecretKeySpec(receiveKey, "ChaCha20");
        this.isInitiator = isInitiator;
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.createdNanos = createdNanos;
        try {
            this.sendCipher = Cipher.getInstance("ChaCha20-Poly1305");
            this.receiveCipher = Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 unavailable in this JDK", e);
        }
    }

    public boolean isInitiator() {
        return isInitiator;
    }

    /** Our index: peers address transport messages for this keypair to it. */
    public int localIndex() {
        return localIndex;
    }

    /** The peer's index: written into every transport message we send. */
    public int remoteIndex() {
        return remoteIndex;
    }

    public long createdNanos() {
        return createdNanos;
    }

    /** The next counter {@link #seal} will use. */
    public long sendCounter() {
        return sendCounter;
    }

    /** Older than {@code RejectAfterTime}: dead for sending and receiving. */
    public boolean expired(long nowNanos) {
        return nowNanos - createdNanos >= WireGuardConstants.REJECT_AFTER_TIME;
    }

    /**
     * Plaintext length plus {@code calculatePaddingSize} (device/send.go): pad to a multiple of 16 but never past the
     * MTU; a keepalive (length 0) stays empty.
     */
    public static int paddedLength(int plaintextLength, int mtu) {
        int lastUnit = plaintextLength;
        if (lastUnit > mtu) {
            lastUnit %= mtu;
        }
        int padded = Math.min((lastUnit + 15) & ~15, mtu);
        return plaintextLength + padded - lastUnit;
    }

    /**
     * Seals the plaintext at {@code buf[offset + 16 ..][0, plaintextLength)} in place: zero-pads it, encrypts it with
     * the next counter and writes the 16-byte header at {@code offset}. {@code buf} needs room for
     * 16 + padded length + 16. Returns the datagram length, or {@link #SEAL_EXHAUSTED}.
     */
    public int seal(byte[] buf, int offset, int plaintextLength, int mtu, long nowNanos) {
        if (expired(nowNanos)
                || Long.compareUnsigned(sendCounter, WireGuardConstants.REJECT_AFTER_MESSAGES) >= 0) {
            return SEAL_EXHAUSTED;
        }
        int padded = paddedLength(plaintextLength, mtu);
        int content = offset + Messages.TRANSPORT_HEADER_SIZE;
        if (buf.length < content + padded + Messages.TAG_SIZE) {
            throw new IllegalArgumentException("buffer too small for the sealed message");
        }
        Arrays.fill(buf, content + plaintextLength, content + padded, (byte) 0);
        long counter = sendCounter++;
        Messages.putU64(sendNonce, 4, counter);
        Messages.putTransportHeader(buf, offset, remoteIndex, counter);
        try {
            sendCipher.init(Cipher.ENCRYPT_MODE, sendKey, new IvParameterSpec(sendNonce));
            int n = sendCipher.doFinal(buf, content, padded, buf, content);
            return Messages.TRANSPORT_HEADER_SIZE + n;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing cannot fail", e);
        }
    }

    /**
     * Opens a transport message at {@code buf[offset, offset + length)} in place (device/receive.go order: keypair age,
     * AEAD, replay filter). The plaintext (packet ‖ padding) lands at {@code offset + 16}. Returns its length, or one
     * of the {@code OPEN_*} codes; a rejected message leaves the replay filter unchanged.
     */
    public int open(byte[] buf, int offset, int length, long nowNanos) {
        if (expired(nowNanos)) {
            return OPEN_EXPIRED;
        }
        long counter = Messages.getU64(buf, offset + Messages.TRANSPORT_COUNTER);
        if (!replayFilter.mightAccept(counter, WireGuardConstants.REJECT_AFTER_MESSAGES)) {
            return OPEN_REPLAYED;
        }
        System.arraycopy(buf, offset + Messages.TRANSPORT_COUNTER, receiveNonce, 4, 8);
        int content = offset + Messages.TRANSPORT_HEADER_SIZE;
        int n;
        try {
            receiveCipher.init(Cipher.DECRYPT_MODE, receiveKey, new IvParameterSpec(receiveNonce));
            n = receiveCipher.doFinal(buf, content, length - Messages.TRANSPORT_HEADER_SIZE, buf, content);
        } catch (GeneralSecurityException e) {
            return OPEN_DECRYPT_FAILED;
        }
        if (!replayFilter.validateCounter(counter, WireGuardConstants.REJECT_AFTER_MESSAGES)) {
            return OPEN_REPLAYED;
        }
        return n;
    }
}
