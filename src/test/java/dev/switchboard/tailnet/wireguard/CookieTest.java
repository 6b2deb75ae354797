package dev.switchboard.tailnet.wireguard;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

import static dev.switchboard.tailnet.wireguard.WireGuardConstants.SECOND;
import static org.junit.jupiter.api.Assertions.*;

/** cookie.go's lifetimes: the responder's secret and the initiator's cookie both last CookieRefreshTime (120 s). */
class CookieTest {
    private final AtomicLong nanos = new AtomicLong(7 * SECOND);
    private final NoisePrivateKey responder = NoisePrivateKey.generate();
    private final CookieChecker checker = new CookieChecker(responder.publicKey(), nanos::get);
    private final CookieGenerator generator = new CookieGenerator(responder.publicKey(), nanos::get);
    private int sent;
    private static final byte[] SOURCE = {127, 0, 0, 1, 0x20, 0x4e};

    private byte[] message() {
        byte[] msg = new byte[148];
        Messages.putType(msg, 0, MessageType.INITIATION);
        Arrays.fill(msg, 4, 116, (byte) 0x42);
        Messages.putU32(msg, 4, ++sent); // a distinct sender index, so a distinct mac1
        generator.addMacs(msg, 0, msg.length);
        return msg;
    }

    @Test
    void cookieRoundTripAndExpiry() {
        byte[] first = message();
        assertTrue(checker.checkMac1(first, 0, 148));
        assertFalse(checker.checkMac2(first, 0, 148, SOURCE), "no secret yet");
        assertArrayEquals(new byte[16], Arrays.copyOfRange(first, 132, 148), "no cookie: mac2 is zero");

        byte[] reply = checker.createReply(first, 0, 148, 0x11223344, SOURCE);
        assertEquals(MessageType.COOKIE_REPLY, MessageType.of(reply, 0));
        assertEquals(0x11223344, Messages.getU32(reply, 4));
        byte[] unrelated = message(); // a later mac1 is now the generator's AD, so the reply no longer opens
        assertFalse(generator.consumeReply(reply, 0));
        reply = checker.createReply(unrelated, 0, 148, 1, SOURCE);
        assertTrue(generator.consumeReply(reply, 0));

        byte[] withCookie = message();
        assertTrue(checker.checkMac2(withCookie, 0, 148, SOURCE));
        assertFalse(checker.checkMac2(withCookie, 0, 148, new byte[] {10, 0, 0, 1, 0x20, 0x4e}), "bound to source");
        withCookie[50] ^= 1;
        assertFalse(checker.checkMac2(withCookie, 0, 148, SOURCE), "mac2 covers the message");

        nanos.addAndGet(120 * SECOND + 1);
        assertFalse(checker.checkMac2(message(), 0, 148, SOURCE), "secret older than 120 s");
        assertArrayEquals(new byte[16], Arrays.copyOfRange(message(), 132, 148), "cookie older than 120 s");
        byte[] fresh = message();
        byte[] rotated = checker.createReply(fresh, 0, 148, 1, SOURCE);
        assertTrue(generator.consumeReply(rotated, 0));
        assertTrue(checker.checkMac2(message(), 0, 148, SOURCE), "a new secret after rotation");
    }

    @Test
    void mac1IsKeyedWithTheReceiversStaticKey() {
        byte[] msg = message();
        assertTrue(checker.checkMac1(msg, 0, 148));
        assertFalse(new CookieChecker(NoisePrivateKey.generate().publicKey(), nanos::get).checkMac1(msg, 0, 148));
        msg[10] ^= 1;
        assertFalse(checker.checkMac1(msg, 0, 148));
    }
}
