package dev.switchboard.http;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CODER_HTTP_READ_HEADER_TIMEOUT (2 s here): a head trickled line by line is cut; an honest kept-alive client is not. */
@QuarkusTest
@TestProfile(SlowlorisTest.ShortDeadline.class)
class SlowlorisTest {
    public static class ShortDeadline implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coder.http-read-header-timeout", "2s");
        }
    }

    @TestHTTPResource("/")
    URL root;

    @BeforeEach
    void listenerSeenOnce() {
        // The test listener's port is ephemeral, so no self-request installed the hook: a first request does.
        given().get("/healthz").then().statusCode(200);
    }

    @Test
    void aHeadTrickledLineByLineIsClosedAtTheDeadline() throws Exception {
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            long start = System.nanoTime();
            out.write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            boolean closed = false;
            for (int i = 0; i < 30 && !closed; i++) {
                try {
                    out.write(("X-Slow-" + i + ": y\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    closed = in.read() == -1;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // no answer yet: keep trickling (the idle timeout never fires on this connection)
                } catch (IOException reset) {
                    closed = true;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(closed, "still open after trickling for " + seconds + " s");
            assertTrue(seconds >= 1.5 && seconds < 8, "closed after " + seconds + " s");
        }
    }

    @Test
    void aKeptAliveClientMayPauseBetweenRequests() throws Exception {
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(5000);
            request(socket);
            Thread.sleep(3000); // past the 2 s head deadline, well inside idle timeout + deadline
            request(socket);
        }
    }

    private static void request(Socket socket) throws IOException {
        socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] buffer = new byte[512];
        int n = socket.getInputStream().read(buffer);
        String answer = new String(buffer, 0, Math.max(n, 0), StandardCharsets.US_ASCII);
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    }
}
