package dev.switchboard.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/**
 * The responder's per-request work on a Tailscale Binding request, without the sockets: the in-place path
 * ({@code verdict} + {@code writeResponse} into a pooled direct buffer, as {@code StunServer} does) against the
 * codec's Buffer API (validation record, transaction ID copy, heap response), which is what the responder did per
 * request before. In this package because the in-place methods are package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StunCodecBenchmark {
    @Param({"203.0.113.7", "2001:db8::7"})
    String client;

    private final Fingerprinter fingerprinter = new Fingerprinter();
    private ByteBuf request;
    private Buffer requestBuffer;
    private InetAddress address;

    @Setup
    public void setUp() throws Exception {
        requestBuffer = StunCodec.tailscaleRequest(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        request = PooledByteBufAllocator.DEFAULT.directBuffer(1500).writeBytes(requestBuffer.getBytes());
        address = InetAddress.getByName(client);
    }

    @TearDown
    public void tearDown() {
        request.release();
    }

    @Benchmark
    public int inPlace() {
        StunCodec.Verdict verdict = StunCodec.verdict(request, fingerprinter);
        byte[] ip = address.getAddress();
        ByteBuf response = PooledByteBufAllocator.DEFAULT.directBuffer(StunCodec.responseLength(ip, false));
        StunCodec.writeResponse(request, ip, 41641, verdict == StunCodec.Verdict.GENERIC_WITH_FINGERPRINT, response,
                fingerprinter);
        int written = response.readableBytes();
        response.release();
        return written;
    }

    @Benchmark
    public Buffer bufferApi() {
        StunCodec.Validation validation = StunCodec.validate(requestBuffer);
        return StunCodec.response(validation.request().transactionId(), address, 41641, false);
    }
}
