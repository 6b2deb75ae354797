package dev.switchboard.http;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A connection that sends half a request head and goes quiet is closed by the idle timeout (90 s; 2 s here). */
@QuarkusTest
@TestProfile(IdleConnectionTest.ShortIdle.class)
class IdleConnectionTest {
    public static class ShortIdle implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.idle-timeout", "2s");
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Test
    void aHalfSentRequestHeadIsClosedWhenIdle() throws Exception {
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            InputStream in = socket.getInputStream();
            assertEquals(-1, in.read(), "closed without an answer");
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertTrue(seconds >= 1 && seconds < 10, "closed after " + seconds + " s");
        }
    }
}
