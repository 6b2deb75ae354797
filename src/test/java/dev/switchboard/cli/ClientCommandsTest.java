package dev.switchboard.cli;

import dev.switchboard.auth.KeyFiles;
import dev.switchboard.derp.server.ServerKeyFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
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
    void unknownCommandNamesTheProgramOnce() {
        assertEquals(2, run("bogus"));
        assertEquals("switchboard: Unmatched argument at index 0: 'bogus' (see --help)", err.toString().strip());
    }

    @Test
    void helpListsTheSubcommands() {
        assertEquals(0, run("--help"));
        String text = out.toString();
        assertTrue(text.contains("server") && text.contains("token") && text.contains("keys") && text.contains("bench"), text);
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
    void keysGenerateWritesBothKeysLoadableByTheServer(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("keys");
        assertEquals(0, run("keys", "generate", "--out", keys.toString()), err.toString());
        Path derpKey = keys.resolve("derp.key");
        Path signingKey = keys.resolve("token-signing-key.pem");
        assertEquals(derpKey + "\n" + signingKey + "\n", out.toString().replace("\r\n", "\n"));
        assertEquals("Store them in the cluster with: kubectl create secret generic switchboard-keys --from-file="
                + derpKey + " --from-file=" + signingKey + "\n", err.toString());
        for (Path file : List.of(derpKey, signingKey)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
        }
        String derpText = Files.readString(derpKey);
        String signingText = Files.readString(signingKey);
        // What the server does with them on start: an unreadable format throws, so loading them unchanged proves it.
        ServerKeyFile.loadOrCreate(derpKey);
        KeyFiles.loadOrCreateSigningKey(signingKey);
        assertEquals(derpText, Files.readString(derpKey));
        assertEquals(signingText, Files.readString(signingKey));
        // The token command signs with the generated key once CODER_AUTH_SIGNING_KEY_FILE points at it.
        out.getBuffer().setLength(0);
        assertEquals(0, run(Map.of("CODER_AUTH_SIGNING_KEY_FILE", signingKey.toString()),
                "token", "create", "--role", "agent", "--subject", SUBJECT), err.toString());
        assertEquals(signingText, Files.readString(signingKey));
    }

    @Test
    void keysGenerateRefusesToOverwrite(@TempDir Path dir) throws Exception {
        Path existing = Files.writeString(dir.resolve("token-signing-key.pem"), "old");
        assertEquals(2, run("keys", "generate", "--out", dir.toString()));
        assertEquals("switchboard: --out: " + existing + " already exists; refusing to overwrite a key "
                + "(move it away or choose another directory)\n", err.toString());
        assertEquals("", out.toString());
        assertEquals("old", Files.readString(existing));
        assertFalse(Files.exists(dir.resolve("derp.key")), "nothing is written when one file exists");
    }

    @Test
    void keysGenerateNeedsOut() {
        assertEquals(2, run("keys", "generate"));
        assertTrue(err.toString().startsWith("switchboard: generate: Missing required option: '--out"), err.toString());
        assertFalse(ClientCli.needsQuarkus("keys", "generate", "--out", "x"));
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
