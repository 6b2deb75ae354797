package dev.switchboard.cli;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The picocli entry point: subcommands and the zero-config token minting. */
@QuarkusMainTest
class SwitchboardMainTest {

    @Test
    @Launch({"token", "create", "--role", "user", "--subject", "11111111-2222-3333-4444-555555555555",
            "--agents", "3f1e6f1a-2b3c-4d5e-8f90-0123456789ab", "--ttl", "30m"})
    void tokenCreateMintsAnEs256JwtWithTheClaims(LaunchResult result) {
        String token = result.getOutputStream().stream().filter(l -> l.startsWith("eyJ"))
                .findFirst().orElseThrow();
        String header = new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8);
        String claims = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        assertTrue(header.contains("\"ES256\""), header);
        assertTrue(claims.contains("\"sub\":\"11111111-2222-3333-4444-555555555555\""), claims);
        assertTrue(claims.contains("\"role\":\"user\""), claims);
        assertTrue(claims.contains("3f1e6f1a-2b3c-4d5e-8f90-0123456789ab"), claims);
        assertEquals(0, result.exitCode());
    }

    @Test
    @Launch({"server", "--help"})
    void serverHelpListsEveryVariableWithItsDefault(LaunchResult result) {
        String out = result.getOutput();
        for (var option : dev.switchboard.config.ConfigOptions.ALL) {
            assertTrue(out.contains(option.env()), option.env() + " missing from:\n" + out);
        }
        assertTrue(out.contains("default: 127.0.0.1:3000"), out);
    }

    @Test
    @Launch({"server", "--smoke-test"})
    void serverSmokeTestRelaysThroughItsOwnListenerAndExits(LaunchResult result) {
        assertEquals(0, result.exitCode(), result.getOutput());
        assertTrue(result.getOutput().contains("smoke test passed: http://127.0.0.1:"), result.getOutput());
        assertTrue(result.getOutput().contains("relayed 200 round trips"), result.getOutput());
    }

    @Test
    @Launch({"--help"})
    void helpListsTheSubcommands(LaunchResult result) {
        String out = result.getOutput();
        assertTrue(out.contains("server") && out.contains("token") && out.contains("bench"), out);
    }
}
