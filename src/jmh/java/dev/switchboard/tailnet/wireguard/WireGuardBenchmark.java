package dev.switchboard.tailnet.wireguard;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The per-packet and per-session crypto of the data plane, on one core: a transport message sealed in place and
 * opened in place by the other end (what every tunnelled packet costs, both sides together), and a whole Noise_IKpsk2
 * handshake (both ephemerals generated, initiation with MAC1, response, both sessions derived): what a rekey or a new
 * peer costs. Throughput mode: packets/s × size × 8 is the seal+open bit rate per core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class WireGuardBenchmark {
    private static final int MTU = 1280;
    private static final long NOW = 1_000_000_000_000L;

    @Param({"1280", "64"})
    int packetBytes;

    private final NoisePrivateKey initiatorStatic = NoisePrivateKey.generate();
    private final NoisePrivateKey responderStatic = NoisePrivateKey.generate();
    private Keypair sender;
    private Keypair receiver;
    private byte[] datagram;
    private long handshakeNow = NOW;
    private long handshakeSeconds = 1_700_000_000L;

    @Setup
    public void setUp() {
        Keypair[] pair = handshake();
        sender = pair[0];
        receiver = pair[1];
        datagram = new byte[Messages.TRANSPORT_HEADER_SIZE + Keypair.paddedLength(packetBytes, MTU) + Messages.TAG_SIZE];
    }

    @Benchmark
    public int sealThenOpen() {
        int length = sender.seal(datagram, 0, packetBytes, MTU, NOW);
        return receiver.open(datagram, 0, length, NOW);
    }

    @Benchmark
    public Keypair[] handshake() {
        // Later than the flood limit and with a newer TAI64N each time, as a real peer's rekeys are.
        handshakeNow += 1_000_000_000L;
        handshakeSeconds++;
        Handshake initiator = new Handshake(initiatorStatic, responderStatic.publicKey());
        Handshake responder = new Handshake(responderStatic, initiatorStatic.publicKey());
        byte[] init = NoiseProtocol.createInitiation(initiatorStatic, initiator, NoisePrivateKey.generate(),
                Tai64n.stamp(handshakeSeconds, 0), 1);
        new CookieGenerator(responderStatic.publicKey(), () -> handshakeNow).addMacs(init, 0, init.length);
        NoiseProtocol.ConsumedInitiation consumed = NoiseProtocol.consumeInitiation(responderStatic, init, 0,
                key -> responder, handshakeNow);
        if (consumed.drop() != null) {
            throw new IllegalStateException("initiation dropped: " + consumed.drop());
        }
        byte[] response = NoiseProtocol.createResponse(responder, NoisePrivateKey.generate(), 2);
        DropReason drop = NoiseProtocol.consumeResponse(initiatorStatic, initiator, response, 0);
        if (drop != null) {
            throw new IllegalStateException("response dropped: " + drop);
        }
        return new Keypair[]{NoiseProtocol.beginSymmetricSession(initiator, handshakeNow),
                NoiseProtocol.beginSymmetricSession(responder, handshakeNow)};
    }
}
