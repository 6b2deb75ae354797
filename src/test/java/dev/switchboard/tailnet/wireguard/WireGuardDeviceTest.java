package dev.switchboard.tailnet.wireguard;

import dev.switchboard.tailnet.ip.Icmpv6Echo;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/** Two devices talking through memory with a fake clock, and every malformed-datagram drop path. */
class WireGuardDeviceTest {
    private static final byte[] ADDR_A = AllowedIp.parse("fd7a:115c:a1e0::a").address();
    private static final byte[] ADDR_B = AllowedIp.parse("fd7a:115c:a1e0::b").address();
    private static final InetSocketAddress EP_A = new InetSocketAddress("127.0.0.1", 40001);
    private static final InetSocketAddress EP_B = new InetSocketAddress("127.0.0.1", 40002);

    private final AtomicLong nanos = new AtomicLong(1_000 * WireGuardConstants.SECOND);
    private final NoisePrivateKey keyA = NoisePrivateKey.generate();
    private final NoisePrivateKey keyB = NoisePrivateKey.generate();
    private final WireGuardDevice a = device(keyA);
    private final WireGuardDevice b = device(keyB);
    private final WireGuardPeer bAtA = a.addPeer(keyB.publicKey(), List.of(AllowedIp.parse("fd7a:115c:a1e0::b/128")), EP_B);
    private final WireGuardPeer aAtB = b.addPeer(keyA.publicKey(), List.of(AllowedIp.parse("fd7a:115c:a1e0::a/128")), EP_A);

    private WireGuardDevice device(NoisePrivateKey key) {
        return new WireGuardDevice(key, 8, 1280, nanos::get,
                () -> Instant.ofEpochSecond(1_700_000_000L).plusNanos(nanos.get()), bound -> 0);
    }

    private void advanceMillis(long ms) {
        nanos.addAndGet(ms * 1_000_000L);
    }

    /** Full handshake A → B, then A's keepalive confirms the session at B. */
    private void handshake() {
        byte[] init = a.initiateHandshake(bAtA);
        assertEquals(148, init.length);
        Received r = b.receive(init, 0, init.length, EP_A, false);
        byte[] resp = assertInstanceOf(Received.Reply.class, r).datagram();
        assertEquals(92, resp.length);
        Received k = a.receive(resp, 0, resp.length, EP_B, false);
        byte[] keepalive = assertInstanceOf(Received.Reply.class, k).datagram();
        assertEquals(32, keepalive.length);
        assertNull(aAtB.currentKeypair(), "responder holds the session as next until confirmed");
        assertInstanceOf(Received.Consumed.class, b.receive(keepalive, 0, 32, EP_A, false));
        assertNotNull(aAtB.currentKeypair());
    }

    private byte[] echo(WireGuardDevice from, WireGuardPeer to, byte[] src, byte[] dst, int seq) {
        byte[] buf = new byte[1400];
        int ipLen = EchoPackets.request(buf, 16, src, dst, 7, seq, 56);
        int n = from.send(to, buf, 0, ipLen);
        assertEquals(144, n);
        return Arrays.copyOf(buf, n);
    }

    @Test
    void handshakeThenEchoBothWays() {
        handshake();
        byte[] dgram = echo(a, bAtA, ADDR_A, ADDR_B, 1);
        Received.Data data = assertInstanceOf(Received.Data.class, b.receive(dgram, 0, dgram.length, EP_A, false));
        assertSame(aAtB, data.peer());
        assertEquals(104, data.packet().length());
        assertEquals(Icmpv6Echo.Outcome.REPLIED, Icmpv6Echo.replyInPlace(data.packet()));
        // The reply goes back in the same buffer: the packet already sits at offset 16.
        int n = b.send(aAtB, dgram, 0, data.packet().length());
        Received.Data back = assertInstanceOf(Received.Data.class, a.receive(dgram, 0, n, EP_B, false));
        assertEquals(Icmpv6Echo.ECHO_REPLY, dgram[16 + 40] & 0xff);
        assertSame(bAtA, back.peer());
    }

    @Test
    void sendWithoutSessionRequestsHandshake() {
        byte[] buf = new byte[200];
        assertEquals(WireGuardDevice.NO_SESSION, a.send(bAtA, buf, 0, 48));
        byte[] init = a.poll(bAtA);
        assertNotNull(init);
        assertEquals(148, init.length);
        assertNull(a.poll(bAtA), "rate limited to one initiation per RekeyTimeout");
        advanceMillis(5_000);
        byte[] retry = a.poll(bAtA);
        assertNotNull(retry, "retransmitted after RekeyTimeout");
        assertEquals(MessageType.INITIATION, MessageType.of(retry, 0));
    }

    @Test
    void malformedDatagramsAreDroppedWithReasonAndChangeNoState() {
        handshake();
        byte[] good = echo(a, bAtA, ADDR_A, ADDR_B, 1);
        int indices = b.indexTableSize();
        Keypair current = aAtB.currentKeypair();
        long deadline = aAtB.timers().nextDeadline();

        assertDrop(DropReason.TRUNCATED, Arrays.copyOf(good, 31));
        byte[] wrongType = good.clone();
        wrongType[0] = 9;
        assertDrop(DropReason.UNKNOWN_TYPE, wrongType);
        byte[] unknownIndex = good.clone();
        unknownIndex[4] ^= 0x55;
        assertDrop(DropReason.UNKNOWN_RECEIVER_INDEX, unknownIndex);
        byte[] tampered = good.clone();
        tampered[100] ^= 1;
        assertDrop(DropReason.TRANSPORT_DECRYPT_FAILED, tampered);

        byte[] copy = good.clone();
        assertInstanceOf(Received.Data.class, b.receive(copy, 0, copy.length, EP_A, false));
        deadline = aAtB.timers().nextDeadline();
        assertDrop(DropReason.REPLAYED_COUNTER, good.clone());

        advanceMillis(5_000); // past RekeyTimeout, so A may initiate again
        byte[] init = a.initiateHandshake(bAtA);
        byte[] badMac = init.clone();
        badMac[20] ^= 1;
        assertDrop(DropReason.BAD_MAC1, badMac);
        assertDrop(DropReason.BAD_SIZE, Arrays.copyOf(init, 147));

        // An initiation from a key B does not know; it is addressed to B, so mac1 is fine.
        WireGuardDevice stranger = device(NoisePrivateKey.generate());
        WireGuardPeer bAtStranger = stranger.addPeer(keyB.publicKey(), List.of(), EP_B);
        byte[] strangerInit = stranger.initiateHandshake(bAtStranger);
        assertDrop(DropReason.UNKNOWN_PEER, strangerInit);

        // Wrong key: B's key configured for a peer, but the message was for someone else's static key.
        WireGuardDevice other = device(NoisePrivateKey.generate());
        WireGuardPeer otherAtA = a.addPeer(other.publicKey(), List.of(), EP_B);
        byte[] misdirected = a.initiateHandshake(otherAtA);
        assertDrop(DropReason.BAD_MAC1, misdirected);

        // Nothing above touched B's session, indices or timers; the good datagram's successor still opens.
        assertEquals(indices, b.indexTableSize());
        assertSame(current, aAtB.currentKeypair());
        assertEquals(deadline, aAtB.timers().nextDeadline());
        byte[] next = echo(a, bAtA, ADDR_A, ADDR_B, 2);
        assertInstanceOf(Received.Data.class, b.receive(next, 0, next.length, EP_A, false));
    }

    @Test
    void replayedInitiationIsDropped() {
        byte[] init = a.initiateHandshake(bAtA);
        assertInstanceOf(Received.Reply.class, b.receive(init.clone(), 0, 148, EP_A, false));
        advanceMillis(100);
        assertDrop(DropReason.REPLAYED_TIMESTAMP, init);
    }

    @Test
    void spoofedInnerSourceIsDropped() {
        handshake();
        byte[] spoofed = echo(a, bAtA, AllowedIp.parse("fd7a:115c:a1e0::99").address(), ADDR_B, 1);
        assertDrop(DropReason.DISALLOWED_SOURCE, spoofed);
    }

    @Test
    void underLoadCookieRoundTrip() {
        byte[] init = a.initiateHandshake(bAtA);
        byte[] reply = assertInstanceOf(Received.CookieReply.class, b.receive(init, 0, 148, EP_A, true)).datagram();
        assertEquals(64, reply.length);
        assertEquals(Messages.getU32(init, 4), Messages.getU32(reply, 4), "addressed to the initiation's sender");
        assertInstanceOf(Received.Consumed.class, a.receive(reply, 0, 64, EP_B, false));
        byte[] forged = reply.clone();
        forged[40] ^= 1;
        assertEquals(DropReason.BAD_COOKIE_REPLY,
                assertInstanceOf(Received.Dropped.class, a.receive(forged, 0, 64, EP_B, false)).reason());

        advanceMillis(5_400);
        byte[] retry = a.poll(bAtA);
        assertNotNull(retry);
        assertFalse(Arrays.equals(new byte[16], Arrays.copyOfRange(retry, 132, 148)), "mac2 now set");
        assertInstanceOf(Received.Reply.class, b.receive(retry, 0, 148, EP_A, true));
        // From another source port the cookie does not match: another cookie reply.
        advanceMillis(5_400);
        byte[] again = a.initiateHandshake(bAtA);
        assertInstanceOf(Received.CookieReply.class,
                b.receive(again, 0, 148, new InetSocketAddress("127.0.0.1", 40009), true));
    }

    @Test
    void timersDriveKeepaliveRekeyAndExpiry() {
        handshake();
        byte[] dgram = echo(a, bAtA, ADDR_A, ADDR_B, 1);
        assertInstanceOf(Received.Data.class, b.receive(java.nio.ByteBuffer.wrap(dgram), EP_A, false));
        assertNull(b.poll(aAtB));
        advanceMillis(10_000);
        byte[] keepalive = b.poll(aAtB);
        assertNotNull(keepalive, "KeepaliveTimeout after data with nothing sent back");
        assertEquals(32, keepalive.length);
        assertInstanceOf(Received.Consumed.class, a.receive(keepalive, 0, 32, EP_B, false));

        // Initiator's keypair older than RekeyAfterTime: the next send asks for a handshake.
        advanceMillis(111_000);
        echo(a, bAtA, ADDR_A, ADDR_B, 2);
        byte[] rekey = a.poll(bAtA);
        assertNotNull(rekey);
        assertEquals(MessageType.INITIATION, MessageType.of(rekey, 0));

        // RejectAfterTime: the old keypair no longer opens or seals.
        advanceMillis(60_000);
        byte[] late = new byte[200];
        int ipLen = EchoPackets.request(late, 16, ADDR_B, ADDR_A, 7, 3, 8);
        assertEquals(WireGuardDevice.NO_SESSION, b.send(aAtB, late, 0, ipLen));
    }

    /** Random bytes behind every header, with valid mac1 where one is needed: typed drops, never an exception. */
    @Test
    void randomDatagramsNeverThrow() {
        handshake();
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        CookieGenerator toB = new CookieGenerator(keyB.publicKey(), nanos::get);
        java.util.Set<DropReason> seen = java.util.EnumSet.noneOf(DropReason.class);
        for (int i = 0; i < 5_000; i++) {
            int type = 1 + random.nextInt(4);
            int len = switch (type) {
                case 1 -> 148;
                case 2 -> 92;
                case 3 -> 64;
                default -> 32 + random.nextInt(200);
            };
            byte[] d = new byte[len];
            random.nextBytes(d);
            Messages.putType(d, 0, MessageType.of(new byte[] {(byte) type, 0, 0, 0}, 0));
            if (type == 1 && i % 7 == 0) {
                Arrays.fill(d, 8, 40, (byte) 0); // a low-order ephemeral
            }
            if (type <= 2 && random.nextBoolean()) {
                toB.addMacs(d, 0, len);
            }
            Received r = b.receive(d, 0, len, EP_A, random.nextInt(10) == 0);
            if (r instanceof Received.Dropped dropped) {
                seen.add(dropped.reason());
            }
        }
        assertTrue(seen.containsAll(java.util.EnumSet.of(DropReason.BAD_MAC1, DropReason.ZERO_DH_RESULT,
                DropReason.HANDSHAKE_DECRYPT_FAILED, DropReason.UNKNOWN_RECEIVER_INDEX)), seen.toString());
        assertNotNull(aAtB.currentKeypair(), "the established session survived");
        byte[] next = echo(a, bAtA, ADDR_A, ADDR_B, 9);
        assertInstanceOf(Received.Data.class, b.receive(next, 0, next.length, EP_A, false));
    }

    /** Receive → echo reply in place → send, per packet: only the small result objects, never buffers. */
    @Test
    void echoPathAllocatesOnlyResultObjects() {
        handshake();
        byte[] buf = new byte[1400];
        var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = 0;
        int rounds = 5_000;
        for (int i = 0; i < 2 * rounds; i++) {
            if (i == rounds) {
                before = bean.getThreadAllocatedBytes(Thread.currentThread().threadId());
            }
            int ipLen = EchoPackets.request(buf, 16, ADDR_A, ADDR_B, 7, i, 1000);
            int n = a.send(bAtA, buf, 0, ipLen);
            Received r = b.receive(buf, 0, n, EP_A, false);
            if (!(r instanceof Received.Data data) || Icmpv6Echo.replyInPlace(data.packet()) != Icmpv6Echo.Outcome.REPLIED) {
                fail(r.toString());
                return;
            }
            n = b.send(aAtB, buf, 0, ipLen);
            assertInstanceOf(Received.Data.class, a.receive(buf, 0, n, EP_B, false));
        }
        long perRound = (bean.getThreadAllocatedBytes(Thread.currentThread().threadId()) - before) / rounds;
        System.out.println("device echo round trip (2 seals, 2 opens): " + perRound + " B allocated");
        assertTrue(perRound < 512, perRound + " B per round trip");
    }

    @Test
    void peerTableIsBounded() {
        for (int i = 0; i < 7; i++) {
            a.addPeer(NoisePrivateKey.generate().publicKey(), List.of(), EP_B);
        }
        assertThrows(IllegalStateException.class,
                () -> a.addPeer(NoisePrivateKey.generate().publicKey(), List.of(), EP_B));
    }

    private void assertDrop(DropReason expected, byte[] datagram) {
        Received r = b.receive(datagram, 0, datagram.length, EP_A, false);
        assertEquals(expected, assertInstanceOf(Received.Dropped.class, r).reason());
    }
}
