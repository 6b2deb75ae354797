package dev.switchboard.tailnet.wireguard;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.switchboard.tailnet.wireguard.PeerTimers.Action.*;
import static dev.switchboard.tailnet.wireguard.WireGuardConstants.*;
import static org.junit.jupiter.api.Assertions.*;

/** The timer state machine against a fake clock (the long {@code now} passed in). */
class PeerTimersTest {
    private static final long MS = 1_000_000L;
    private long now = 1_000 * SECOND;
    private final PeerTimers timers = new PeerTimers(bound -> bound - 1); // maximal jitter: 333 ms

    private Keypair keypair(boolean initiator, long created) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) 1);
        return new Keypair(k, k, initiator, 1, 2, created);
    }

    /** Sends the initiation the way SendHandshakeInitiation does. */
    private void initiate() {
        assertTrue(timers.mayInitiate(now));
        timers.timersHandshakeInitiated(now);
        timers.timersAnyAuthenticatedPacketTraversal(now);
        timers.timersAnyAuthenticatedPacketSent(now);
    }

    @Test
    void retransmitsAtRekeyTimeoutPlusJitterThenGivesUp() {
        assertEquals(PeerTimers.UNSET, timers.nextDeadline());
        initiate();
        assertEquals(now + REKEY_TIMEOUT + 333 * MS, timers.nextDeadline());
        assertEquals(NONE, timers.poll(now + REKEY_TIMEOUT + 332 * MS));
        int sent = 1;
        while (true) {
            now = timers.nextDeadline();
            PeerTimers.Action a = timers.poll(now);
            if (a == HANDSHAKE_GAVE_UP) {
                break;
            }
            assertEquals(SEND_INITIATION, a);
            initiate();
            sent++;
        }
        assertEquals(MAX_TIMER_HANDSHAKES + 2, sent, "18 retries as upstream logs 'after 20 attempts'");
        assertEquals(now + ZERO_KEY_TIME, timers.nextDeadline());
        now = timers.nextDeadline();
        assertEquals(ZERO_KEY_MATERIAL, timers.poll(now));
        assertEquals(NONE, timers.poll(now));
    }

    @Test
    void initiationsAreRateLimitedToOnePerRekeyTimeout() {
        initiate();
        assertFalse(timers.mayInitiate(now + REKEY_TIMEOUT - 1));
        assertTrue(timers.mayInitiate(now + REKEY_TIMEOUT));
    }

    @Test
    void handshakeCompleteCancelsRetransmitAndArmsZeroing() {
        initiate();
        timers.timersHandshakeComplete(now + 10 * MS);
        timers.timersSessionDerived(now + 10 * MS);
        assertEquals(now + 10 * MS + 540 * SECOND, timers.nextDeadline());
        assertEquals(0, timers.handshakeAttempts());
        assertEquals(now + 10 * MS, timers.lastHandshakeNanos());
    }

    @Test
    void keepaliveTenSecondsAfterDataUnlessWeSent() {
        timers.timersDataReceived(now);
        assertEquals(now + KEEPALIVE_TIMEOUT, timers.keepaliveDeadline());
        timers.timersAnyAuthenticatedPacketSent(now + SECOND);
        assertEquals(PeerTimers.UNSET, timers.keepaliveDeadline(), "our own send carried the acknowledgement");

        timers.timersDataReceived(now);
        timers.timersDataReceived(now + SECOND); // a second packet while pending: one more keepalive after this one
        assertEquals(SEND_KEEPALIVE, timers.poll(now + KEEPALIVE_TIMEOUT));
        assertEquals(now + 2 * KEEPALIVE_TIMEOUT, timers.keepaliveDeadline());
        assertEquals(SEND_KEEPALIVE, timers.poll(now + 2 * KEEPALIVE_TIMEOUT));
        assertEquals(NONE, timers.poll(now + 3 * KEEPALIVE_TIMEOUT));
    }

    @Test
    void unansweredDataStartsNewHandshakeAfterFifteenSeconds() {
        timers.timersDataSent(now);
        assertEquals(now + NEW_HANDSHAKE_TIMEOUT + 333 * MS, timers.newHandshakeDeadline());
        timers.timersDataSent(now + SECOND); // does not push it back
        assertEquals(now + NEW_HANDSHAKE_TIMEOUT + 333 * MS, timers.newHandshakeDeadline());
        assertEquals(SEND_INITIATION, timers.poll(now + NEW_HANDSHAKE_TIMEOUT + 333 * MS));

        timers.timersDataSent(now);
        timers.timersAnyAuthenticatedPacketReceived(now + SECOND);
        assertEquals(PeerTimers.UNSET, timers.newHandshakeDeadline(), "an answer cancels it");
    }

    @Test
    void persistentKeepalive() {
        timers.setPersistentKeepaliveInterval(25 * SECOND, now);
        assertEquals(now + 25 * SECOND, timers.nextDeadline());
        timers.timersAnyAuthenticatedPacketTraversal(now + 5 * SECOND);
        assertEquals(NONE, timers.poll(now + 25 * SECOND));
        assertEquals(SEND_KEEPALIVE, timers.poll(now + 30 * SECOND));
        timers.setPersistentKeepaliveInterval(0, now);
        assertEquals(PeerTimers.UNSET, timers.nextDeadline());
    }

    @Test
    void rekeyOnSendOnlyForInitiatorAfterRekeyAfterTime() {
        assertTrue(timers.needsHandshakeBeforeSending(null, now));
        Keypair mine = keypair(true, now);
        Keypair theirs = keypair(false, now);
        assertFalse(timers.needsHandshakeBeforeSending(mine, now + REKEY_AFTER_TIME));
        assertTrue(timers.needsHandshakeBeforeSending(mine, now + REKEY_AFTER_TIME + 1));
        assertFalse(timers.needsHandshakeBeforeSending(theirs, now + REKEY_AFTER_TIME + 1), "responder never rekeys");
    }

    @Test
    void lastMinuteHandshakeOnReceiveOnce() {
        Keypair mine = keypair(true, now);
        assertFalse(timers.needsHandshakeAfterReceiving(mine, now + KEEP_KEY_FRESH_RECEIVING));
        assertTrue(timers.needsHandshakeAfterReceiving(mine, now + KEEP_KEY_FRESH_RECEIVING + 1));
        assertFalse(timers.needsHandshakeAfterReceiving(mine, now + KEEP_KEY_FRESH_RECEIVING + 2), "only once");
        timers.timersHandshakeComplete(now);
        assertTrue(timers.needsHandshakeAfterReceiving(mine, now + KEEP_KEY_FRESH_RECEIVING + 3));
    }
}
