package dev.switchboard.coordinator.transport;

import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import dev.switchboard.coordinator.proto.CoordinateResponse;
import dev.switchboard.derpmap.DerpMapRoutes;
import dev.switchboard.testing.TestRelay;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import jakarta.inject.Inject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Oversized client messages over real sockets: whatever the size, the client reads the documented error (coordinate)
 * and a 1009 close (RFC 6455 §7.4.1), not a reset. The client fragments into 64 KiB frames (Vert.x's default
 * {@code maxFrameSize}), so the bytes the error reports show the server stopped reading into memory at the first frame
 * past the limit rather than buffering the message.
 */
@QuarkusTest
class OversizedWebSocketMessagesTest {
    private static final int CLIENT_FRAME = 64 * 1024;

    @TestHTTPResource("/")
    URL root;

    @Inject
    TokenService tokens;

    @Inject
    Vertx vertx;

    private record Outcome(List<Buffer> binary, List<String> text, Short closeStatus) {
    }

    @ParameterizedTest
    @ValueSource(ints = {CoordinateRoutes.MAX_REQUEST_BYTES + 1, 1024 * 1024, 16 * 1024 * 1024})
    void coordinateAnswersWithTheErrorAndCloses1009(int size) throws Exception {
        UUID agentId = UUID.randomUUID();
        String token = tokens.mint(UUID.randomUUID(), Role.USER, List.of(agentId), Duration.ofHours(1));
        Outcome outcome = send("/api/v2/workspaceagents/" + agentId + "/coordinate?version=2.0", token, size);
        assertEquals((short) 1009, outcome.closeStatus());
        assertEquals(1, outcome.binary().size(), "exactly the error response");
        CoordinateResponse response = CoordinateResponse.parseFrom(outcome.binary().getFirst().getBytes());
        long seen = Math.min(size, 2L * CLIENT_FRAME); // the first frame that crosses 64 KiB ends the reading
        assertEquals(CoordinateRoutes.tooBig(seen), response.getError());
    }

    @ParameterizedTest
    @ValueSource(ints = {DerpMapRoutes.MAX_CLIENT_MESSAGE_BYTES + 1, 1024 * 1024, 16 * 1024 * 1024})
    void derpMapStreamCloses1009(int size) throws Exception {
        Outcome outcome = send("/api/v2/derp-map/stream", null, size);
        assertEquals((short) 1009, outcome.closeStatus());
        assertNotNull(outcome.text().isEmpty() ? null : outcome.text().getFirst(), "the map arrived first");
    }

    /**
     * A message sent as one frame, as Go clients (Coder's) send messages: even past the listener's 512 KiB frame limit
     * it gets the error and a 1009 close, not a dropped connection, and the server never buffers it (the frame is
     * dropped from its header on, so the error reports the size the header declared).
     */
    @ParameterizedTest
    @ValueSource(ints = {CoordinateRoutes.MAX_REQUEST_BYTES + 1, 1024 * 1024, 16 * 1024 * 1024})
    void aMessageSentAsOneFrameGetsTheErrorAndCloses1009(int size) throws Exception {
        UUID agentId = UUID.randomUUID();
        String token = tokens.mint(UUID.randomUUID(), Role.USER, List.of(agentId), Duration.ofHours(1));
        Outcome outcome = send("/api/v2/workspaceagents/" + agentId + "/coordinate?version=2.0", token, size, size);
        assertEquals((short) 1009, outcome.closeStatus());
        assertEquals(1, outcome.binary().size(), "exactly the error response");
        assertEquals(CoordinateRoutes.tooBig(size),
                CoordinateResponse.parseFrom(outcome.binary().getFirst().getBytes()).getError());
    }

    @ParameterizedTest
    @ValueSource(ints = {DerpMapRoutes.MAX_CLIENT_MESSAGE_BYTES + 1, 16 * 1024 * 1024})
    void derpMapStreamClosesAOneFrameMessage1009(int size) throws Exception {
        Outcome outcome = send("/api/v2/derp-map/stream", null, size, size);
        assertEquals((short) 1009, outcome.closeStatus());
        assertNotNull(outcome.text().isEmpty() ? null : outcome.text().getFirst(), "the map arrived first");
    }

    private Outcome send(String uri, String token, int size) throws Exception {
        return send(uri, token, size, CLIENT_FRAME);
    }

    private Outcome send(String uri, String token, int size, int frame) throws Exception {
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(frame)
                .setMaxMessageSize(16 * 1024 * 1024));
        try {
            WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(root.getPort())
                    .setURI(uri);
            if (token != null) {
                options.putHeader("Coder-Session-Token", token);
            }
            LinkedBlockingQueue<Buffer> binary = new LinkedBlockingQueue<>();
            LinkedBlockingDeque<String> text = new LinkedBlockingDeque<>();
            CompletableFuture<Short> closed = new CompletableFuture<>();
            // Handlers go on before connecting (TestRelay.connect says why): the DERP-map stream writes the map with
            // the upgrade.
            ClientWebSocket socket = client.webSocket();
            socket.binaryMessageHandler(binary::add);
            socket.textMessageHandler(text::add);
            socket.exceptionHandler(e -> { }); // a write after the close is expected; the outcome is the close
            socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
            TestRelay.connect(vertx, socket, options);
            if (uri.startsWith("/api/v2/derp-map")) {
                // The stream is live once its first map came: only then is an oversized message the thing under test
                // (sent at once, the server's guard can close the stream before the route has written the map).
                String map = text.poll(10, TimeUnit.SECONDS);
                assertNotNull(map, "the map arrived first");
                text.addFirst(map);
            }
            socket.writeBinaryMessage(Buffer.buffer(new byte[size]));
            Short status = closed.get(10, TimeUnit.SECONDS); // null: the connection ended without a close frame
            return new Outcome(List.copyOf(binary), List.copyOf(text), status);
        } finally {
            TestRelay.await(client.close());
        }
    }
}
