package dev.switchboard.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands that run without Quarkus: one result line on stdout, one-line usage errors with exit status 2. */
class ClientCommandsTest {
    private static final String SUBJECT = "11111111-2222-3333-4444-555555555555";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine commandLine = new CommandLine(new SwitchboardCommand(), new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K made = defaults.create(type);
                if (made instanceof TokenCommand.Create create) {
                    create.env = env;
                }
                return made;
            }
        });
        commandLine.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return ClientCli.execute(commandLine, args);
    }

    private int run(String... args) {
        return run(Map.of("CODER_CONFIG_DIR", "target/test-config"), args);
    }

    @Test
    void tokenCreatePrintsExactlyTheTokenLine() {
        int code = run("token", "create", "--role", "user", "--subject", SUBJECT,
                "--agents", "3f1e6f1a-2b3c-4d5e-8f90-0123456789ab", "--ttl", "30m");
        assertEquals(0, code, err.toString());
        String[] lines = out.toString().split("\n");
        assertEquals(1, lines.length, out.toString());
        String token = lines[0].strip();
        String header = new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8);
        String claims = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        assertTrue(header.contains("\"ES256\""), header);
        assertTrue(claims.contains("\"sub\":\"" + SUBJECT + "\""), claims);
        assertTrue(claims.contains("\"role\":\"user\""), claims);
        assertTrue(claims.contains("3f1e6f1a-2b3c-4d5e-8f90-0123456789ab"), claims);
        assertEquals("", err.toString());
    }

    @Test
    void unknownRoleIsOneUsageLine() {
        assertEquals(2, run("token", "create", "--role", "root", "--subject", SUBJECT));
        assertEquals("switchboard: --role: agent, user or admin, not \"root\"\n", err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void badTtlIsOneUsageLine() {
        assertEquals(2, run("token", "create", "--role", "agent", "--subject", SUBJECT, "--ttl", "5x"));
        assertEquals("switchboard: --ttl: a positive duration such as 30m, 24h or 1h30m, not \"5x\"\n",
                err.toString());
    }

    @Test
    void verboseAddsTheStackTrace() {
        assertEquals(2, run("token", "create", "--role", "root", "--subject", SUBJECT, "--verbose"));
        assertTrue(err.toString().startsWith("switchboard: --role: "), err.toString());
        assertTrue(err.toString().contains("\tat picocli."), err.toString());
    }

    @Test
    void externalKeyCannotMint() {
        assertEquals(2, run(Map.of("CODER_AUTH_PUBLIC_KEY_FILE", "/etc/coder/auth.pub"),
                "token", "create", "--role", "agent", "--subject", SUBJECT));
        String message = err.toString();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.startsWith("switchboard: CODER_AUTH_PUBLIC_KEY_FILE: is set, so the server verifies"),
                message);
        assertTrue(message.contains("cannot mint"), message);
        assertEquals("", out.toString());
    }

    @Test
    void missingOptionIsOneUsageLine() {
        assertEquals(2, run("token", "create", "--subject", SUBJECT));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("switchboard: create: Missing required option: '--role"), err.toString());
    }

    @Test
    void helpListsTheSubcommands() {
        assertEquals(0, run("--help"));
        String text = out.toString();
        assertTrue(text.contains("server") && text.contains("token") && text.contains("bench"), text);
    }

    @Test
    void serverHelpListsEveryVariableWithItsDefault() {
        assertEquals(0, run("server", "--help"));
        String text = out.toString();
        for (var option : dev.switchboard.config.ConfigOptions.ALL) {
            assertTrue(text.contains(option.env()), option.env() + " missing from:\n" + text);
        }
        assertTrue(text.contains("default: 127.0.0.1:3000"), text);
    }

    @Test
    void onlyServerAndBenchToolsBootQuarkus() {
        assertTrue(ClientCli.needsQuarkus("server"));
        assertTrue(ClientCli.needsQuarkus("server", "--smoke-test"));
        assertFalse(ClientCli.needsQuarkus("bench", "stun"));
        assertFalse(ClientCli.needsQuarkus("server", "--help"));
        assertFalse(ClientCli.needsQuarkus("bench", "stun", "-h"));
        assertFalse(ClientCli.needsQuarkus("bench"));
        assertFalse(ClientCli.needsQuarkus("--version"));
        assertFalse(ClientCli.needsQuarkus("token", "create"));
        assertFalse(ClientCli.needsQuarkus());
    }
}
