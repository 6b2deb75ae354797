package dev.switchboard.derp.client;

import dev.switchboard.derp.DerpProtocolException;
import dev.switchboard.derp.Frame;
import dev.switchboard.derp.FrameLimits;
import dev.switchboard.derp.FrameReader;
import dev.switchboard.derp.FrameType;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.Handshake;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.ServerInfo;
import dev.switchboard.testing.TestRelay;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client rejects servers that break the handshake (wrong magic, refused upgrade, oversized frame), and reads past
 * short frames after it, as Tailscale's {@code derp/derp_client.go} does.
 */
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

    @Test
    void shortFramesAfterTheHandshakeAreDroppedNotFatal() throws Exception {
        Buffer afterHandshake = Frames.header(FrameType.RECV_PACKET, 10).appendBytes(new byte[10])
                .appendBuffer(Frames.header(FrameType.PEER_GONE, 1).appendByte((byte) 0))
                .appendBuffer(Frames.header(FrameType.RESTARTING, 4).appendInt(1000))
                .appendBuffer(Frames.header(FrameType.PING, 3).appendBytes(new byte[3]))
                .appendBuffer(Frames.frame(FrameType.HEALTH, Buffer.buffer("still here")));
        int port = handshakingServer(afterHandshake);
        var options = DerpClientOptions.of(URI.create("http://127.0.0.1:" + port + "/derp"), NodePrivateKey.generate());
        DerpClient client = DerpClient.connect(vertx, options).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        BlockingQueue<DerpMessage> received = new LinkedBlockingQueue<>();
        client.messageHandler(received::add);
        client.notePreferred(true);
        assertEquals("still here",
                assertInstanceOf(DerpMessage.Health.class, received.poll(5, TimeUnit.SECONDS)).problem());
        assertFalse(client.closeFuture().isComplete(), "short frames must not close the connection");
        TestRelay.await(client.close());
    }

    /**
     * A fake server that completes a real handshake (101, ServerKey, then ServerInfo once ClientInfo opens) and
     * sends {@code afterHandshake} when the client's first frame after it arrives, so its handler is in place.
     */
    private int handshakingServer(Buffer afterHandshake) {
        NodePrivateKey key = NodePrivateKey.generate();
        NetServer server = vertx.createNetServer().connectHandler(socket -> {
            FrameReader reader = new FrameReader(FrameLimits.SERVER_HANDSHAKE);
            Buffer head = Buffer.buffer();
            boolean[] pastHead = {false};
            socket.write(Buffer.buffer("HTTP/1.1 101 Switching Protocols\r\n\r\n")
                    .appendBuffer(Frames.serverKey(key.publicKey())));
            socket.handler(chunk -> {
                if (!pastHead[0]) {
                    int end = head.appendBuffer(chunk).toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
                    if (end < 0) {
                        return;
                    }
                    pastHead[0] = true;
                    chunk = head.getBuffer(end + 4, head.length());
                }
                reader.append(chunk);
                try {
                    for (Frame frame; (frame = reader.poll()) != null; ) {
                        if (frame.type() == FrameType.CLIENT_INFO) {
                            var opened = Handshake.openClientInfo(key, frame.payload());
                            socket.write(Frames.serverInfo(key, opened.clientKey(), ServerInfo.current()));
                            reader.limits(FrameLimits.SERVER);
                        } else {
                            socket.write(afterHandshake);
                        }
                    }
                } catch (DerpProtocolException e) {
                    socket.close();
                }
                reader.detach();
            });
        });
        return TestRelay.await(server.listen(0, "127.0.0.1")).actualPort();
    }
}
