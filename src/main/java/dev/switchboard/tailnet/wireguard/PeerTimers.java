package dev.switchboard.tailnet.wireguard;

import java.util.function.IntUnaryOperator;

import static dev.switchboard.tailnet.wireguard.WireGuardConstants.*;

/**
 * The per-peer timers of wireguard-go {@code device/timers.go} as a pure state machine: no threads, no scheduler. The
 * device reports events ({@code timers*} methods, same names as upstream) with the current monotonic time; the caller
 * asks {@link #poll} "what should be sent now" and uses {@link #nextDeadline} to schedule its next poll. Five timers,
 * each a deadline or {@link #UNSET}: retransmitHandshake, sendKeepalive, newHandshake, zeroKeyMaterial,
 * persistentKeepalive. Jitter is drawn from an injected source so tests are deterministic.
 *
 * <p>Owned by the caller's event loop; not thread-safe.
 */
public final class PeerTimers {
    public static final long UNSET = Long.MAX_VALUE;

    /** What {@link #poll} asks the caller to do. */
    public enum Action {
        NONE,
        /** Create and send a handshake initiation (a retry, a rekey, or a new handshake after unanswered data). */
        SEND_INITIATION,
        /** Send a keepalive (an empty transport message) on the current keypair. */
        SEND_KEEPALIVE,
        /** {@code MaxTimerHandshakes} retries failed: flush staged packets. */
        HANDSHAKE_GAVE_UP,
        /** Erase all keypairs and the handshake ({@code expiredZeroKeyMaterial}). */
        ZERO_KEY_MATERIAL
    }

    /** Returns a uniform jitter in [0, bound) ms; {@code ThreadLocalRandom.current()::nextInt} in production. */
    private final IntUnaryOperator jitterMs;
    private long persistentKeepaliveIntervalNanos;

    private long retransmitHandshake = UNSET;
    private long sendKeepalive = UNSET;
    private long newHandshake = UNSET;
    private long zeroKeyMaterial = UNSET;
    private long persistentKeepalive = UNSET;
    private int handshakeAttempts;
    private boolean needAnotherKeepalive;
    private boolean sentLastMinuteHandshake;
    private boolean hasSentHandshake;
    private long lastSentHandshake;
    private boolean hasHandshake;
    private long lastHandshake;

    public PeerTimers(IntUnaryOperator jitterMs) {
        this.jitterMs = jitterMs;
    }

    /** 0 disables; Coder uses 25 s once a peer is active. */
    public void setPersistentKeepaliveInterval(long nanos, long nowNanos) {
        persistentKeepaliveIntervalNanos = nanos;
        persistentKeepalive = nanos > 0 ? nowNanos + nanos : UNSET;
    }

    private long jitter() {
        return jitterMs.applyAsInt(REKEY_TIMEOUT_JITTER_MAX_MS) * 1_000_000L;
    }

    /** Earliest pending deadline, or {@link #UNSET}. */
    public long nextDeadline() {
        return Math.min(Math.min(retransmitHandshake, sendKeepalive),
                Math.min(Math.min(newHandshake, zeroKeyMaterial), persistentKeepalive));
    }

    /**
     * Fires the earliest expired timer and returns what to send; call again until {@link Action#NONE}. For
     * {@code SEND_INITIATION} the caller must then check {@link #mayInitiate}, create the initiation and report
     * {@link #timersHandshakeInitiated}, as {@code SendHandshakeInitiation} does.
     */
    public Action poll(long now) {
        if (retransmitHandshake <= now) {
            retransmitHandshake = UNSET;
            if (handshakeAttempts > MAX_TIMER_HANDSHAKES) {
                // expiredRetransmitHandshake: give up, and schedule erasure unless already scheduled.
                sendKeepalive = UNSET;
                if (zeroKeyMaterial == UNSET) {
                    zeroKeyMaterial = now + ZERO_KEY_TIME;
                }
                return Action.HANDSHAKE_GAVE_UP;
            }
            handshakeAttempts++;
            return Action.SEND_INITIATION;
        }
        if (sendKeepalive <= now) {
            sendKeepalive = UNSET;
            if (needAnotherKeepalive) {
                needAnotherKeepalive = false;
                sendKeepalive = now + KEEPALIVE_TIMEOUT;
            }
            return Action.SEND_KEEPALIVE;
        }
        if (newHandshake <= now) {
            newHandshake = UNSET;
            return startHandshake(now);
        }
        if (zeroKeyMaterial <= now) {
            zeroKeyMaterial = UNSET;
            return Action.ZERO_KEY_MATERIAL;
        }
        if (persistentKeepalive <= now) {
            persistentKeepalive = UNSET;
            if (persistentKeepaliveIntervalNanos > 0) {
                return Action.SEND_KEEPALIVE;
            }
        }
        return Action.NONE;
    }

    /** A non-retry handshake request resets the attempt count ({@code SendHandshakeInitiation(false)}). */
    private Action startHandshake(long now) {
        if (!mayInitiate(now)) {
            return Action.NONE;
        }
        handshakeAttempts = 0;
        return Action.SEND_INITIATION;
    }

    /** {@code SendHandshakeInitiation}'s rate limit: at most one initiation per RekeyTimeout. */
    public boolean mayInitiate(long now) {
        return !hasSentHandshake || now - lastSentHandshake >= REKEY_TIMEOUT;
    }

    /**
     * {@code keepKeyFreshSending} (send.go): on send, does the current keypair need a new handshake? Null keypair,
     * an initiator's keypair older than RekeyAfterTime, or a nonce past RekeyAfterMessages.
     */
    public boolean needsHandshakeBeforeSending(Keypair current, long now) {
        boolean stale = current == null
                || (current.isInitiator() && now - current.createdNanos() > REKEY_AFTER_TIME)
                || Long.compareUnsigned(current.sendCounter(), REKEY_AFTER_MESSAGES) > 0;
        return stale && mayInitiate(now);
    }

    /** {@code keepKeyFreshReceiving}: the initiator rehandshakes once when its keypair nears RejectAfterTime. */
    public boolean needsHandshakeAfterReceiving(Keypair current, long now) {
        if (sentLastMinuteHandshake || current == null || !current.isInitiator()
                || now - current.createdNanos() <= KEEP_KEY_FRESH_RECEIVING) {
            return false;
        }
        sentLastMinuteHandshake = true;
        return mayInitiate(now);
    }

    /** {@code timersDataSent}: a data packet (not a keepalive) was sent. */
    public void timersDataSent(long now) {
        if (newHandshake == UNSET) {
            newHandshake = now + NEW_HANDSHAKE_TIMEOUT + jitter();
        }
    }

    /** {@code timersDataReceived}: a data packet (not a keepalive) was received. */
    public void timersDataReceived(long now) {
        if (sendKeepalive == UNSET) {
            sendKeepalive = now + KEEPALIVE_TIMEOUT;
        } else {
            needAnotherKeepalive = true;
        }
    }

    /** {@code timersAnyAuthenticatedPacketSent}: any transport message, keepalives included. */
    public void timersAnyAuthenticatedPacketSent(long now) {
        sendKeepalive = UNSET;
    }

    /** {@code timersAnyAuthenticatedPacketReceived}: any transport message, keepalives included. */
    public void timersAnyAuthenticatedPacketReceived(long now) {
        newHandshake = UNSET;
    }

    /** {@code timersAnyAuthenticatedPacketTraversal}: restarts the persistent keepalive, if enabled. */
    public void timersAnyAuthenticatedPacketTraversal(long now) {
        if (persistentKeepaliveIntervalNanos > 0) {
            persistentKeepalive = now + persistentKeepaliveIntervalNanos;
        }
    }

    /** {@code timersHandshakeInitiated}: an initiation was sent; arm the retransmit. */
    public void timersHandshakeInitiated(long now) {
        hasSentHandshake = true;
        lastSentHandshake = now;
        retransmitHandshake = now + REKEY_TIMEOUT + jitter();
    }

    /** {@code timersHandshakeComplete}: a response was consumed, or the first transport message confirmed a key. */
    public void timersHandshakeComplete(long now) {
        retransmitHandshake = UNSET;
        handshakeAttempts = 0;
        sentLastMinuteHandshake = false;
        hasHandshake = true;
        lastHandshake = now;
    }

    /** {@code timersSessionDerived}: a keypair was derived; erase key material 3 × RejectAfterTime later. */
    public void timersSessionDerived(long now) {
        zeroKeyMaterial = now + ZERO_KEY_TIME;
    }

    /** {@code timersStop}. */
    public void stop() {
        retransmitHandshake = sendKeepalive = newHandshake = zeroKeyMaterial = persistentKeepalive = UNSET;
    }

    public int handshakeAttempts() {
        return handshakeAttempts;
    }

    /** Monotonic time of the last completed handshake, or {@link #UNSET}. */
    public long lastHandshakeNanos() {
        return hasHandshake ? lastHandshake : UNSET;
    }

    long retransmitDeadline() {
        return retransmitHandshake;
    }

    long keepaliveDeadline() {
        return sendKeepalive;
    }

    long newHandshakeDeadline() {
        return newHandshake;
    }
}
