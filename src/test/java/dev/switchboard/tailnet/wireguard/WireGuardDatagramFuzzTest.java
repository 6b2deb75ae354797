package dev.switchboard.tailnet.wireguard;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchboard.tailnet.ip.IpPacket;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link WireGuardDevice#receive} on datagrams from the network, against a device with an established session.
 * Three shapes reach past the first checks: raw bytes, a typed message with a valid MAC1 (so the handshake code
 * runs), and a genuine transport packet with fuzzed bytes XORed in. Invariants: nothing escapes but a typed result;
 * nothing but the unmodified genuine packet decrypts (ChaCha20-Poly1305 authenticates every byte after the header);
 * the genuine packet opens to the plaintext that was sealed; the session survives and still carries the next packet.
 * CI replays the seeds under {@code WireGuardDatagramFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class WireGuardDatagramFuzzTest {
    private static final InetSocketAddress EP_A = new InetSocketAddress("127.0.0.1", 40001);
    private static final InetSocketAddress EP_B = new InetSocketAddress("127.0.0.1", 40002);
    private static final byte[] ADDR_A = AllowedIp.parse("fd7a:115c:a1e0::a").address();
    private static final byte[] ADDR_B = AllowedIp.parse("fd7a:115c:a1e0::b").address();
    private static final int[] LENGTHS = {0, 148, 92, 64};

    // One session for every input (a handshake per input would cost two X25519 rounds each): every input seals a
    // fresh genuine packet, so the replay window never rejects the genuine one. Jazzer runs inputs on one thread.
    private static final AtomicLong NANOS = new AtomicLong(1_000 * WireGuardConstants.SECOND);
    private static final NoisePrivateKey KEY_A = NoisePrivateKey.generate();
    private static final NoisePrivateKey KEY_B = NoisePrivateKey.generate();
    private static final WireGuardDevice A = device(KEY_A);
    private static final WireGuardDevice B = device(KEY_B);
    private static final WireGuardPeer B_AT_A = A.addPeer(KEY_B.publicKey(),
            List.of(AllowedIp.parse("fd7a:115c:a1e0::b/128")), EP_B);
    private static int sequence;

    static {
        B.addPeer(KEY_A.publicKey(), List.of(AllowedIp.parse("fd7a:115c:a1e0::a/128")), EP_A);
        byte[] init = A.initiateHandshake(B_AT_A);
        byte[] response = ((Received.Reply) B.receive(init, 0, init.length, EP_A, false)).datagram();
        byte[] keepalive = ((Received.Reply) A.receive(response, 0, response.length, EP_B, false)).datagram();
        B.receive(keepalive, 0, keepalive.length, EP_A, false);
    }

    @FuzzTest(maxDuration = "10m", maxExecutions = 10_000_000)
    void fuzzDatagram(FuzzedDataProvider data) {
        int shape = data.consumeInt(0, 2);
        boolean underLoad = data.consumeBoolean();
        int seq = ++sequence & 0xffff;
        byte[] genuine = echo(seq);
        byte[] datagram;
        switch (shape) {
            case 0 -> datagram = data.consumeRemainingAsBytes();
            case 1 -> {
                int type = data.consumeInt(1, 3);
                datagram = Arrays.copyOf(data.consumeRemainingAsBytes(), LENGTHS[type]);
                Messages.putType(datagram, 0, MessageType.of(new byte[] {(byte) type, 0, 0, 0}, 0));
                new CookieGenerator(KEY_B.publicKey(), NANOS::get).addMacs(datagram, 0, datagram.length);
            }
            default -> {
                datagram = genuine.clone();
                byte[] flips = data.consumeRemainingAsBytes();
                for (int i = 0; i < flips.length && i < datagram.length; i++) {
                    datagram[i] ^= flips[i];
                }
            }
        }

        boolean forged = shape != 2 || !Arrays.equals(datagram, genuine);
        Received received = B.receive(datagram, 0, datagram.length, EP_A, underLoad); // opens in place
        if (received instanceof Received.Data delivered) {
            if (forged) {
                throw new AssertionError("a forged or modified datagram decrypted to " + Arrays.toString(datagram));
            }
            IpPacket packet = delivered.packet();
            byte[] opened = Arrays.copyOfRange(packet.bytes(), packet.offset(), packet.offset() + packet.length());
            if (!Arrays.equals(opened, plaintext(seq))) {
                throw new AssertionError("the genuine packet opened to other bytes");
            }
        }
        byte[] next = echo(seq);
        if (!(B.receive(next, 0, next.length, EP_A, false) instanceof Received.Data)) {
            throw new AssertionError("the session did not survive " + received);
        }
    }

    private static WireGuardDevice device(NoisePrivateKey key) {
        return new WireGuardDevice(key, 8, 1280, NANOS::get,
                () -> Instant.ofEpochSecond(1_700_000_000L).plusNanos(NANOS.get()), bound -> 0);
    }

    /** A's next transport packet to B: an ICMPv6 echo request, sealed under a fresh counter. */
    private static byte[] echo(int seq) {
        byte[] buf = new byte[1400];
        int ipLength = EchoPackets.request(buf, 16, ADDR_A, ADDR_B, 7, seq, 56);
        return Arrays.copyOf(buf, A.send(B_AT_A, buf, 0, ipLength));
    }

    private static byte[] plaintext(int seq) {
        byte[] buf = new byte[1400];
        return Arrays.copyOf(buf, EchoPackets.request(buf, 0, ADDR_A, ADDR_B, 7, seq, 56));
    }
}
