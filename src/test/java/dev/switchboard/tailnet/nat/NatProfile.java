package dev.switchboard.tailnet.nat;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.util.Map;

/**
 * The server as the NAT lab's internet sees it: HTTP (DERP, coordinator, APIs) on every interface, so on
 * {@link NatLab#serverAddress} once the lab exists, with the access URL there; two STUN listeners on distinct ports,
 * the embedded relay's and a STUN-only region's, so netcheck can tell whether a NAT maps per destination. Wildcard
 * binds because the lab's addresses appear only after start-up; a wildcard UDP socket answers from the address the
 * route back picks, which is the one the client asked.
 */
public class NatProfile implements QuarkusTestProfile {
    private static final int OCTET = NatLab.freeOctet();
    private static final int HTTP_PORT = freePort();
    private static final int STUN_PORT = freeUdpPort();
    private static final int SECOND_STUN_PORT = freeUdpPort();

    @Override
    public Map<String, String> getConfigOverrides() {
        String ip = NatLab.serverAddress(OCTET);
        return Map.of("coder.http-address", "0.0.0.0:" + HTTP_PORT, "quarkus.http.host", "0.0.0.0",
                "quarkus.http.test-port", String.valueOf(HTTP_PORT),
                "coder.access-url", "http://" + ip + ":" + HTTP_PORT,
                "coder.stun-listen-addresses", "0.0.0.0:" + STUN_PORT + ",0.0.0.0:" + SECOND_STUN_PORT,
                "coder.derp.server.stun-addresses", ip + ":" + SECOND_STUN_PORT,
                "coder.block-direct", String.valueOf(blockDirect()));
    }

    /** {@code CODER_BLOCK_DIRECT}. */
    protected boolean blockDirect() {
        return false;
    }

    /** The same server with {@code CODER_BLOCK_DIRECT=true}. */
    public static class BlockDirect extends NatProfile {
        @Override
        protected boolean blockDirect() {
            return true;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freeUdpPort() {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
