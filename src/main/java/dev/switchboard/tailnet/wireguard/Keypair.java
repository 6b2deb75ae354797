package dev.switchboard.tailnet.wireguard;

import java.util.Arrays;

/**
 * One transport session's keys ({@code Keypair}, wireguard-go {@code device/keypair.go}; whitepaper §5.4.6): send and
 * receive ChaCha20-Poly1305 keys, the local and remote indices, the send counter and the receive replay filter.
 *
 * <p><b>AEAD choice.</b> {@link ChaChaPoly}, one instance per direction, sealing and opening in place in the caller's
 * array with zero allocation per packet. The JDK's {@code ChaCha20-Poly1305} {@code Cipher}, even reused per keypair
 * and re-initialised per nonce, allocated about 2 × the payload per seal+open (measured on JDK 25: ~4.6 KB for a
 * 1200-byte packet, with in-place arrays and with heap or direct ByteBuffers alike), and BouncyCastle's ~2.9 KB; both
 * remain the oracle ChaChaPoly is tested against.
 *
 * <p>Owned by the caller's event loop. The send side (AEAD, counter) and the receive side (AEAD, replay filter) share
 * no mutable state, so one sending and one receiving thread may use a keypair concurrently.
 */
public final class Keypair {
    /** Result codes of {@link #open}; non-negative results are plaintext lengths. */
    public static final int OPEN_DECRYPT_FAILED = -1;
    public static final int OPEN_REPLAYED = -2;
    public static final int OPEN_EXPIRED = -3;
    /** {@link #seal} result when the counter is exhausted. */
    public static final int SEAL_EXHAUSTED = -1;

    private final boolean isInitiator;
    private final int localIndex;
    private final int remoteIndex;
    private final long createdNanos;
    /** Set by the event loop when the keypair leaves the index table; volatile for a concurrent sender. */
    private volatile boolean destroyed;

    // Send side: owned by the sending thread.
    private final ChaChaPoly sendAead;
    private long sendCounter;

    // Receive side: owned by the receiving thread.
    private final ChaChaPoly receiveAead;
    private final ReplayFilter replayFilter = new ReplayFilter();

    Keypair(byte[] sendKey, byte[] receiveKey, boolean isInitiator, int localIndex, int remoteIndex,
            long createdNanos) {
        this.sendAead = new ChaChaPoly(sendKey);
        this.receiveAead = new ChaChaPoly(receiveKey);
        this.isInitiator = isInitiator;
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.createdNanos = createdNanos;
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

    /** Erases both keys; the keypair then fails every seal and open. */
    void destroy() {
        destroyed = true;
        sendAead.destroy();
        receiveAead.destroy();
    }

    /** Older than {@code RejectAfterTime}: dead for sending and receiving. */
    public boolean expired(long nowNanos) {
        return destroyed || nowNanos - createdNanos >= WireGuardConstants.REJECT_AFTER_TIME;
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
        Messages.putTransportHeader(buf, offset, remoteIndex, counter);
        return Messages.TRANSPORT_HEADER_SIZE + sendAead.seal(counter, buf, content, padded);
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
        int n = receiveAead.open(counter, buf, offset + Messages.TRANSPORT_HEADER_SIZE,
                length - Messages.TRANSPORT_HEADER_SIZE);
        if (n < 0) {
            return OPEN_DECRYPT_FAILED;
        }
        if (!replayFilter.validateCounter(counter, WireGuardConstants.REJECT_AFTER_MESSAGES)) {
            return OPEN_REPLAYED;
        }
        return n;
    }
}
