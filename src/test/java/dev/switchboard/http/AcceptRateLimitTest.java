package dev.switchboard.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CODER_HTTP_ACCEPT_RATE_PER_IP=1 with a burst of 5, over real sockets: a burst of connections from 127.0.0.1 beyond
 * five is closed before any byte is read or written, counted, and the source is served again once its budget refills.
 */
@QuarkusTest
@TestProfile(AcceptRateLimitTest.OnePerSecond.class)
class AcceptRateLimitTest {
    public static class OnePerSecond implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("coder.http-accept-rate-per-ip", "1", "coder.http-accept-burst-per-ip", "5");
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Inject
    MeterRegistry registry;

    @Test
    void connectionsOverTheRateAreClosedOnAcceptAndCounted() throws Exception {
        // The ephemeral test port had no self-request: this first request installs the hook (one token spent).
        given().get("/healthz").then().statusCode(200);
        double before = refused();
        int served = 0;
        int closed = 0;
        for (int i = 0; i < 12; i++) {
            if (healthz()) {
                served++;
            } else {
                closed++;
            }
        }
        assertTrue(served >= 4 && served <= 6, "about the remaining burst is served, not " + served);
        assertEquals(12 - served, closed);
        assertEquals(closed, refused() - before, 1e-9);

        Thread.sleep(2100); // two tokens at 1/s
        assertTrue(healthz(), "the source is served again once its budget refills");
    }

    /** One raw HTTP/1.1 request; false when the server closed the connection without a byte. */
    private boolean healthz() throws IOException {
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12);
            if (head.length == 0) {
                return false;
            }
            assertEquals("HTTP/1.1 200", new String(head, StandardCharsets.US_ASCII));
            return true;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("neither served nor closed", e);
        } catch (IOException reset) {
            return false; // closed before our request was read: the kernel may answer the write with a reset
        }
    }

    private double refused() {
        return registry.find("switchboard.http.accept.refused").functionCounter().count();
    }
}
