package dev.switchboard.jmh;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodeKeyProbe;
import dev.switchboard.derp.NodePrivateKey;
import io.vertx.core.buffer.Buffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** The packet path's routing step: read the destination key from a SendPacket and look it up among N clients. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RoutingBenchmark {
    @Param({"1000", "50000"})
    int clients;

    private final ConcurrentHashMap<NodeKey, Object> registry = new ConcurrentHashMap<>();
    private Buffer[] payloads;

    @Setup
    public void setUp() {
        payloads = new Buffer[1024];
        NodeKey[] keys = new NodeKey[clients];
        for (int i = 0; i < clients; i++) {
            keys[i] = NodePrivateKey.generate().publicKey();
            registry.put(keys[i], new Object());
        }
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = keys[ThreadLocalRandom.current().nextInt(clients)].appendTo(Buffer.buffer())
                    .appendBytes(new byte[64]);
        }
    }

    private int next;
    private final NodeKeyProbe probe = new NodeKeyProbe();

    @Benchmark
    public Object lookupDestination() {
        Buffer payload = payloads[next++ & (payloads.length - 1)];
        return registry.get(NodeKey.read(payload, 0));
    }

    /** The relay's lookup: the key compared in place through a reused probe, no array or key object per packet. */
    @Benchmark
    public Object lookupInPlace() {
        Buffer payload = payloads[next++ & (payloads.length - 1)];
        return registry.get(probe.at(payload, 0));
    }
}
