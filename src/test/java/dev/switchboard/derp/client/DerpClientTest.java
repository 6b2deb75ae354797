package dev.switchboard.derp.client;

import dev.switchboard.derp.FrameType;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.testing.TestRelay;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client rejects servers that break the protocol: wrong magic, refused upgrade. */
class DerpClientTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        TestRelay.await(vertx.close());
    }

    /** A fake server that answers every connection with {@code reply}. */
    private int fakeServer(Buffer reply) {
        NetServer server = vertx.createNetServer().connectHandler(socket -> socket.handler(ignored -> socket.write(reply)));
        return TestRelay.await(server.listen(0, "127.0.0.1")).actualPort();
    }

    private Throwable connectFailure(int port) {
        var options = DerpClientOptions.of(URI.create("http://127.0.0.1:" + port + "/derp"), NodePrivateKey.generate());
        ExecutionException e = assertThrows(ExecutionException.class, () -> DerpClient.connect(vertx, options)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        return e.getCause();
    }

    @Test
    void serverKeyWithWrongMagicIsRejected() {
        Buffer wrongMagic = Frames.header(FrameType.SERVER_KEY, 40).appendString("NOTDERP!").appendBytes(new byte[32]);
        int port = fakeServer(Buffer.buffer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: DERP\r\n\r\n")
                .appendBuffer(wrongMagic));
        assertTrue(connectFailure(port).getMessage().contains("magic"));
    }

    @Test
    void refusedUpgradeReportsStatusAndBody() {
        int port = fakeServer(Buffer.buffer("HTTP/1.1 426 Upgrade Required\r\nContent-Length: 32\r\n\r\n"
                + "DERP requires connection upgrade"));
        String message = connectFailure(port).getMessage();
        assertTrue(message.contains("426") && message.contains("DERP requires connection upgrade"), message);
    }

    @Test
    void oversizedServerFrameIsFatal() {
        int port = fakeServer(Buffer.buffer("HTTP/1.1 101 Switching Protocols\r\n\r\n")
                .appendBuffer(Frames.header(FrameType.RECV_PACKET, (1 << 20) + 1)));
        assertTrue(connectFailure(port).getMessage().contains("outside"));
    }
}
