package dev.switchboard.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** An address in use fails start-up naming the variable that configures that listener. */
class ListenAddressCheckTest {

    @Test
    void anAddressInUseNamesItsVariable() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            for (String variable : List.of("CODER_HTTP_ADDRESS", "CODER_TLS_ADDRESS", "CODER_PROMETHEUS_ADDRESS")) {
                ConfigException e = assertThrows(ConfigException.class, () -> ListenAddressCheck.check(List.of(
                        new ListenAddressCheck.Listener(variable, "127.0.0.1", port))));
                assertEquals(variable + "=127.0.0.1:" + port + " cannot be used: 127.0.0.1:" + port
                        + " is already in use", e.getMessage());
            }
        }
    }

    @Test
    void freeAndEphemeralAddressesPass() throws IOException {
        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            free = probe.getLocalPort();
        }
        int port = free;
        assertDoesNotThrow(() -> ListenAddressCheck.check(List.of(
                new ListenAddressCheck.Listener("CODER_HTTP_ADDRESS", "127.0.0.1", port),
                new ListenAddressCheck.Listener("CODER_PROMETHEUS_ADDRESS", "127.0.0.1", 0))));
    }

    @Test
    void aForeignAddressSaysSo() {
        ConfigException e = assertThrows(ConfigException.class, () -> ListenAddressCheck.check(List.of(
                new ListenAddressCheck.Listener("CODER_HTTP_ADDRESS", "192.0.2.1", 3000))));
        assertEquals("CODER_HTTP_ADDRESS=192.0.2.1:3000 cannot be used: 192.0.2.1:3000 is not an address of this "
                + "machine", e.getMessage());
    }
}
