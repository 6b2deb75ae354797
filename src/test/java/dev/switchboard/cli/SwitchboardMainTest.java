package dev.switchboard.cli;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Quarkus side of the entry point; the commands that run without Quarkus are in ClientCommandsTest. */
@QuarkusMainTest
class SwitchboardMainTest {

    @Test
    @Launch({"server", "--smoke-test"})
    void serverSmokeTestRelaysThroughItsOwnListenerAndExits(LaunchResult result) {
        assertEquals(0, result.exitCode(), result.getOutput());
        assertTrue(result.getOutput().contains("smoke test passed: http://127.0.0.1:"), result.getOutput());
        assertTrue(result.getOutput().contains("relayed 200 round trips"), result.getOutput());
    }

    @Test
    @Launch(value = {"server", "--bogus"}, exitCode = 2)
    void anUnknownServerOptionIsOneLineAndExitStatus2(LaunchResult result) {
        assertEquals(List.of("switchboard: Unknown option: '--bogus' (see --help)"),
                result.getErrorOutput().lines().filter(line -> line.startsWith("switchboard")).toList(),
                result.getErrorOutput());
        assertFalse(result.getErrorOutput().contains("Usage:"), result.getErrorOutput());
    }

    @Test
    void anHttpAddressInUseStopsStartUpWithOneLineNamingTheVariable(QuarkusMainLauncher launcher) throws Exception {
        // The test profile binds quarkus.http.test-port; a profiled system property outranks application.properties.
        String property = "%test.quarkus.http.test-port";
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            System.setProperty(property, Integer.toString(taken.getLocalPort()));
            LaunchResult result = launcher.launch("server");
            String expected = "switchboard: CODER_HTTP_ADDRESS=127.0.0.1:" + taken.getLocalPort()
                    + " cannot be used: 127.0.0.1:" + taken.getLocalPort() + " is already in use";
            assertEquals(1, result.exitCode(), result.getOutput() + result.getErrorOutput());
            assertTrue(result.getErrorOutput().lines().anyMatch(expected::equals),
                    result.getOutput() + "\n---\n" + result.getErrorOutput());
        } finally {
            System.clearProperty(property);
        }
    }
}
