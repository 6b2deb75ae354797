package dev.switchboard.jmh;

import dev.switchboard.derp.ClientInfo;
import dev.switchboard.derp.DerpProtocolException;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.Handshake;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.ServerInfo;
import io.vertx.core.buffer.Buffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/** The server's crypto per connection: open the ClientInfo box, seal the ServerInfo box (two X25519 each). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HandshakeBenchmark {
    private NodePrivateKey server;
    private NodePrivateKey client;
    private Buffer clientInfoPayload;

    @Setup
    public void setUp() {
        server = NodePrivateKey.generate();
        client = NodePrivateKey.generate();
        Buffer frame = Frames.clientInfo(client, server.publicKey(), ClientInfo.regular());
        clientInfoPayload = frame.getBuffer(5, frame.length());
    }

    @Benchmark
    public Handshake.OpenedClientInfo openClientInfo() throws DerpProtocolException {
        return Handshake.openClientInfo(server, clientInfoPayload);
    }

    @Benchmark
    public Buffer sealServerInfo() {
        return Frames.serverInfo(server, client.publicKey(), ServerInfo.current());
    }
}
