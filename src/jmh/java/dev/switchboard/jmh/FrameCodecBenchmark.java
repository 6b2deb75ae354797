package dev.switchboard.jmh;

import dev.switchboard.derp.DerpProtocolException;
import dev.switchboard.derp.Frame;
import dev.switchboard.derp.FrameLimits;
import dev.switchboard.derp.FrameReader;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodePrivateKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * Frame decoding, per packet: 64 SendPacket frames in one TCP read, or the same stream in 16 KiB reads whose
 * boundaries cut frames (the relay's case under load); and RecvPacket encoding.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FrameCodecBenchmark {
    private static final int FRAMES = 64;
    private static final int READ_SIZE = 16 * 1024;
    private Buffer read;
    private Buffer[] reads;
    private Buffer sendPayload;
    private Buffer source;

    @Setup
    public void setUp() {
        NodeKey destination = NodePrivateKey.generate().publicKey();
        source = Buffer.buffer(NodePrivateKey.generate().publicKey().toBytes());
        Buffer packet = Buffer.buffer(new byte[1200]);
        read = Buffer.buffer();
        for (int i = 0; i < FRAMES; i++) {
            read.appendBuffer(Frames.sendPacket(destination, packet));
        }
        sendPayload = Frames.sendPacket(destination, packet).getBuffer(5, 5 + 32 + 1200);
        reads = new Buffer[(read.length() + READ_SIZE - 1) / READ_SIZE];
        for (int i = 0; i < reads.length; i++) {
            reads[i] = read.getBuffer(i * READ_SIZE, Math.min(read.length(), (i + 1) * READ_SIZE));
        }
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void decodeSendPackets(Blackhole sink) throws DerpProtocolException {
        FrameReader reader = new FrameReader(FrameLimits.SERVER);
        reader.append(read);
        Frame frame;
        while ((frame = reader.poll()) != null) {
            sink.consume(frame);
        }
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void decodeSplitReads(Blackhole sink) throws DerpProtocolException {
        decodeSplit(sink, false);
    }

    /** The relay's reading: {@link FrameReader#next()} and the payload in place, no slice or record per frame. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void decodeSplitReadsInPlace(Blackhole sink) throws DerpProtocolException {
        decodeSplit(sink, true);
    }

    private void decodeSplit(Blackhole sink, boolean inPlace) throws DerpProtocolException {
        FrameReader reader = new FrameReader(FrameLimits.SERVER);
        for (Buffer chunk : reads) {
            reader.append(chunk);
            Object frame;
            while ((frame = inPlace ? (reader.next() == null ? null : reader.payloadBuffer()) : reader.poll()) != null) {
                sink.consume(frame);
            }
            reader.detach();
        }
    }

    /** Build and release, as the relay's writer does once the frame is written: the pooled allocator's round trip. */
    @Benchmark
    public int encodeRecvPacket() {
        ByteBuf frame = Frames.recvPacket(PooledByteBufAllocator.DEFAULT, source, 0, sendPayload, 32,
                sendPayload.length() - 32);
        int length = frame.readableBytes();
        frame.release();
        return length;
    }
}
