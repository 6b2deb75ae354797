package dev.switchboard.tailnet.wireguard;

import dev.switchboard.derp.NodeKey;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.*;

/** The handshake known-answer vector: inputs pinned, generated independently in Python and checked live. */
class NoiseProtocolTest {
    private static final HexFormat HEX = HexFormat.of();
    static final NoisePrivateKey S_I = NoisePrivateKey.of(fill(1));
    static final NoisePrivateKey S_R = NoisePrivateKey.of(fill(2));
    static final NoisePrivateKey E_I = NoisePrivateKey.of(fill(3));
    static final NoisePrivateKey E_R = NoisePrivateKey.of(fill(4));
    static final byte[] TIMESTAMP = Tai64n.stamp(1700000000L, 123456789);
    static final String INIT = "01000000040302015dfedd3b6bd47f6fa28ee15d969d5bb0ea53774d488bdaf9df1c6e0124b3ef220a26599fb2188bb723276fc1"
            + "73af67616c817fc32fd04d686d87ec152fac10eed2bda3bb3b6f1eded6977684082284d817fb46b3a99b6be3ba273ed6bd1d8fe1"
            + "a4439e0750c0497239b13139e742649232aeb64f3670e4a0e73c3af200000000000000000000000000000000";
    static final String RESP = "020000000807060504030201ac01b2209e86354fb853237b5de0f4fab13c7fcbf433a61c019369617fecf10ba47761b78ef340ba"
            + "1fba31741ce316b47420333056becb91b73ec3a97fc134c700000000000000000000000000000000";
    static final String T1 = "b30c71d520eb54edcf0ad32b6c2e5bdff747e6e2bf8a126ae52eb1c7140b4398";
    static final String T2 = "bc8d9cb5d3c1654d26eef4fab1426ff05fff238c2ddac280941197772e21c21c";
    static final String KEEPALIVE = "0400000008070605000000000000000045576729b6ca056a23180fed4b237620";

    static byte[] fill(int b) {
        byte[] a = new byte[32];
        Arrays.fill(a, (byte) b);
        return a;
    }

    @Test
    void staticPublicKeys() {
        assertEquals("a4e09292b651c278b9772c569f5fa9bb13d906b46ab68c9df9dc2b4409f8a209", S_I.publicKey().toHex());
        assertEquals("ce8d3ad1ccb633ec7b70c17814a5c76ecd029685050d344745ba05870e587d59", S_R.publicKey().toHex());
    }

    @Test
    void fullHandshakeKnownAnswer() {
        long now = 1_000_000_000_000L;
        Handshake initiator = new Handshake(S_I, S_R.publicKey());
        Handshake responder = new Handshake(S_R, S_I.publicKey());

        byte[] init = NoiseProtocol.createInitiation(S_I, initiator, E_I, TIMESTAMP, 0x01020304);
        new CookieGenerator(S_R.publicKey(), () -> now).addMacs(init, 0, init.length);
        assertEquals(INIT, HEX.formatHex(init));

        CookieChecker checker = new CookieChecker(S_R.publicKey(), () -> now);
        assertTrue(checker.checkMac1(init, 0, init.length));
        var consumed = NoiseProtocol.consumeInitiation(S_R, init, 0,
                k -> k.equals(S_I.publicKey()) ? responder : null, now);
        assertNull(consumed.drop());
        assertSame(responder, consumed.handshake());

        byte[] resp = NoiseProtocol.createResponse(responder, E_R, 0x05060708);
        new CookieGenerator(S_I.publicKey(), () -> now).addMacs(resp, 0, resp.length);
        assertEquals(RESP, HEX.formatHex(resp));
        assertTrue(new CookieChecker(S_I.publicKey(), () -> now).checkMac1(resp, 0, resp.length));

        assertNull(NoiseProtocol.consumeResponse(S_I, initiator, resp, 0));
        assertEquals(T1, HEX.formatHex(NoiseProtocol.transportKeys(initiator)[0]));
        assertEquals(T2, HEX.formatHex(NoiseProtocol.transportKeys(responder)[1]));

        Keypair ki = NoiseProtocol.beginSymmetricSession(initiator, now);
        Keypair kr = NoiseProtocol.beginSymmetricSession(responder, now);
        assertTrue(ki.isInitiator());
        assertFalse(kr.isInitiator());
        assertEquals(0x05060708, ki.remoteIndex());
        assertEquals(0x01020304, kr.remoteIndex());
        assertEquals(Handshake.State.ZEROED, initiator.state());

        byte[] buf = new byte[32];
        assertEquals(32, ki.seal(buf, 0, 0, 1280, now));
        assertEquals(KEEPALIVE, HEX.formatHex(buf));
        assertEquals(0, kr.open(buf, 0, 32, now));
        assertEquals(Keypair.OPEN_REPLAYED, kr.open(buf, 0, 32, now));
    }

    @Test
    void replayedAndUnknownInitiationsAreDropped() {
        long now = 5_000_000_000L;
        Handshake initiator = new Handshake(S_I, S_R.publicKey());
        Handshake responder = new Handshake(S_R, S_I.publicKey());
        byte[] init = NoiseProtocol.createInitiation(S_I, initiator, E_I, TIMESTAMP, 1);
        assertEquals(DropReason.UNKNOWN_PEER, NoiseProtocol.consumeInitiation(S_R, init, 0, k -> null, now).drop());
        assertNull(NoiseProtocol.consumeInitiation(S_R, init, 0, k -> responder, now).drop());
        assertEquals(DropReason.REPLAYED_TIMESTAMP,
                NoiseProtocol.consumeInitiation(S_R, init, 0, k -> responder, now + 1_000_000_000L).drop());
        byte[] newer = NoiseProtocol.createInitiation(S_I, initiator, E_I, Tai64n.stamp(1700000001L, 0), 2);
        assertEquals(DropReason.INITIATION_FLOOD,
                NoiseProtocol.consumeInitiation(S_R, newer, 0, k -> responder, now + 10_000_000L).drop());
        assertNull(NoiseProtocol.consumeInitiation(S_R, newer, 0, k -> responder, now + 30_000_000L).drop());
        assertEquals(DropReason.HANDSHAKE_DECRYPT_FAILED, NoiseProtocol.consumeInitiation(
                NoisePrivateKey.of(fill(9)), newer, 0, k -> responder, now + 60_000_000L).drop());
        NodeKey unused = S_I.publicKey();
        assertNotNull(unused);
    }
}
