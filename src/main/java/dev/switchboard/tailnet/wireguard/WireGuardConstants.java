package dev.switchboard.tailnet.wireguard;

/**
 * Protocol constants (wireguard-go {@code device/constants.go}; whitepaper §6.1, §6.4). Times are nanoseconds for the
 * injected monotonic clock. Message counters are unsigned 64-bit: compare them with {@link Long#compareUnsigned}.
 */
public final class WireGuardConstants {
    public static final long SECOND = 1_000_000_000L;
    /** 2^60: on send, a nonce beyond this starts a handshake. */
    public static final long REKEY_AFTER_MESSAGES = 1L << 60;
    /** 2^64 − 2^13 − 1: never send or accept a counter ≥ this (as an unsigned value). */
    public static final long REJECT_AFTER_MESSAGES = -(1L << 13) - 1;
    public static final long REKEY_AFTER_TIME = 120 * SECOND;
    /** The initiator rehandshakes on receive when its keypair is older than this (180 − 10 − 5 s). */
    public static final long KEEP_KEY_FRESH_RECEIVING = (180 - 10 - 5) * SECOND;
    public static final long REJECT_AFTER_TIME = 180 * SECOND;
    public static final long REKEY_ATTEMPT_TIME = 90 * SECOND;
    public static final long REKEY_TIMEOUT = 5 * SECOND;
    /** Retransmits add uniform jitter in [0, 334) ms ({@code rekeyTimeoutJitterMaxMs}, timers.go). */
    public static final int REKEY_TIMEOUT_JITTER_MAX_MS = 334;
    /** RekeyAttemptTime / RekeyTimeout = 18 initiations, then give up ({@code MaxTimerHandshakes}). */
    public static final int MAX_TIMER_HANDSHAKES = (int) (REKEY_ATTEMPT_TIME / REKEY_TIMEOUT);
    public static final long KEEPALIVE_TIMEOUT = 10 * SECOND;
    /** 20 ms between accepted initiations from one peer ({@code HandshakeInitationRate}). */
    public static final long HANDSHAKE_INITIATION_RATE = 20_000_000L;
    /** New-handshake timer: KeepaliveTimeout + RekeyTimeout after sending data with no reply (timers.go). */
    public static final long NEW_HANDSHAKE_TIMEOUT = KEEPALIVE_TIMEOUT + REKEY_TIMEOUT;
    /** Key material is erased 3 × RejectAfterTime after the last session was derived. */
    public static final long ZERO_KEY_TIME = 3 * REJECT_AFTER_TIME;
    /** Tailscale's tunnel MTU ({@code net/tstun DefaultMTU}); padding never exceeds it. */
    public static final int DEFAULT_MTU = 1280;

    private WireGuardConstants() {
    }
}
