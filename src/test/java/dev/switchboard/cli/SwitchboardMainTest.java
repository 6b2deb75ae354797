package dev.switchboard.cli;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
