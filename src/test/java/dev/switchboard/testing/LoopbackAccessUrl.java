package dev.switchboard.testing;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * A test server on a port chosen up front, with CODER_ACCESS_URL on it, so the DERP map it serves names a relay
 * that really answers (the default profile's ephemeral port is only known after the map is built). Peers that
 * follow the map, like {@code switchboard agent} and {@code ping}, need this.
 */
public class LoopbackAccessUrl implements QuarkusTestProfile {
    private static final int PORT = freePort();

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.http.test-port", String.valueOf(PORT), "coder.access-url", "http://127.0.0.1:" + PORT);
    }
}
