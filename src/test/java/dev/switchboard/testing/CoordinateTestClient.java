package dev.switchboard.testing;

import dev.switchboard.coordinator.proto.CoordinateRequest;
import dev.switchboard.coordinator.proto.CoordinateResponse;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A coordinating peer over a real WebSocket: sends CoordinateRequests, queues CoordinateResponses. */
public final class CoordinateTestClient implements AutoCloseable {
    private final WebSocketClient client;
    private final WebSocket socket;
    private final BlockingQueue<CoordinateResponse> responses = new LinkedBlockingQueue<>();
    private final java.util.concurrent.CompletableFuture<Void> closed = new java.util.concurrent.CompletableFuture<>();
    private final String peerId;

    private CoordinateTestClient(WebSocketClient client, WebSocket socket, String peerId) {
        this.client = client;
        this.socket = socket;
        this.peerId = peerId;
        socket.binaryMessageHandler(b -> {
            try {
                responses.add(CoordinateResponse.parseFrom(b.getBytes()));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        socket.closeHandler(v -> closed.complete(null));
    }

    public static CoordinateTestClient connect(Vertx vertx, int port, String uri, String token) {
        WebSocketClient client = vertx.createWebSocketClient();
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri)
                .setHeaders(MultiMap.caseInsensitiveMultiMap().add("Coder-Session-Token", token));
        // Response headers are readable only inside the connect callback, so it is passed with the call.
        io.vertx.core.Promise<CoordinateTestClient> connected = io.vertx.core.Promise.promise();
        client.connect(options, result -> {
            if (result.failed()) {
                connected.fail(result.cause());
            } else {
                WebSocket socket = result.result();
                connected.complete(new CoordinateTestClient(client, socket,
                        socket.headers().get("Switchboard-Peer-Id")));
            }
        });
        return TestRelay.await(connected.future());
    }

    public String peerId() {
        return peerId;
    }

    public CoordinateTestClient send(CoordinateRequest request) {
        TestRelay.await(socket.writeBinaryMessage(Buffer.buffer(request.toByteArray())));
        return this;
    }

    public CoordinateTestClient sendRaw(Buffer bytes) {
        TestRelay.await(socket.writeBinaryMessage(bytes));
        return this;
    }

    public CoordinateResponse next() {
        try {
            CoordinateResponse response = responses.poll(5, TimeUnit.SECONDS);
            assertNotNull(response, "expected a CoordinateResponse within 5 s");
            return response;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    public void expectNothing(long millis) throws InterruptedException {
        assertNull(responses.poll(millis, TimeUnit.MILLISECONDS));
    }

    public boolean closedWithin(long millis) {
        try {
            closed.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        TestRelay.await(socket.close());
        TestRelay.await(client.close());
    }
}
