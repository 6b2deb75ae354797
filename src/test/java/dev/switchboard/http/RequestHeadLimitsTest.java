package dev.switchboard.http;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request-head size limits of the public listener (Quarkus' {@code quarkus.http.limits.max-header-size} 20 KiB and
 * {@code max-initial-line-length} 4096, kept as documented defaults): an oversized head is refused with a status,
 * not buffered, and the connection is closed.
 */
@QuarkusTest
class RequestHeadLimitsTest {
    @TestHTTPResource("/")
    URL root;

    @Test
    void headersOverTheLimitGet431AndTheConnectionCloses() throws IOException {
        String header = "X-Padding: " + "a".repeat(21 * 1024) + "\r\n";
        assertEquals("431", statusOf("GET /healthz HTTP/1.1\r\nHost: x\r\n" + header + "\r\n"));
    }

    @Test
    void aRequestLineOverTheLimitGets414() throws IOException {
        assertEquals("414", statusOf("GET /healthz?" + "q".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    }

    @Test
    void aHeadWithinTheLimitsIsServed() throws IOException {
        String header = "X-Padding: " + "a".repeat(16 * 1024) + "\r\n";
        assertEquals("200", statusOf("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + header + "\r\n"));
    }

    private String statusOf(String head) throws IOException {
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII); // to EOF: it must close
            // Netty answers a request line it could not parse as HTTP/1.0
            assertTrue(response.startsWith("HTTP/1.1 ") || response.startsWith("HTTP/1.0 "), response);
            return response.substring(9, 12);
        }
    }
}
