package dev.switchboard.cli;

import dev.switchboard.auth.KeyFiles;
import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code switchboard token create}: mints a session token with the key Switchboard generated for itself. Runs without
 * Quarkus (see {@link ClientCli}), so it reads the variables it needs from the environment itself.
 */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Session tokens for the coordination API.",
        subcommands = {TokenCommand.Create.class})
public class TokenCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Mint a token signed with CODER_AUTH_SIGNING_KEY_FILE, by default "
                    + "<CODER_CONFIG_DIR>/auth/token-signing-key.pem (zero-config mode). "
                    + "Prints only the token, so TOKEN=$(switchboard token create …) works.")
    public static class Create implements Callable<Integer> {
        /** Replaced by tests; the process environment otherwise. */
        Map<String, String> env = System.getenv();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--role", required = true, converter = RoleConverter.class,
                description = "agent, user or admin")
        Role role;

        @Option(names = "--subject", required = true, description = "Agent or user UUID (the sub claim)")
        UUID subject;

        @Option(names = "--agents", split = ",", description = "Agent UUIDs a user may reach")
        List<UUID> agents = List.of();

        @Option(names = "--ttl", defaultValue = "24h", converter = TtlConverter.class,
                description = "Lifetime, e.g. 30m, 24h, 1h30m (default ${DEFAULT-VALUE})")
        Duration ttl;

        @Override
        public Integer call() {
            var key = generatedSigningKey(env);
            spec.commandLine().getOut().println(TokenService.mint(key, subject, role, agents, ttl));
            return 0;
        }
    }

    /**
     * The key Switchboard generated for itself under CODER_CONFIG_DIR, as the server would load it; refused (usage
     * error) when an external verification key is configured, since the server would then reject what it signs.
     */
    static KeyPair generatedSigningKey(Map<String, String> env) {
        for (String external : List.of("CODER_AUTH_PUBLIC_KEY_FILE", "CODER_AUTH_JWKS_URL")) {
            if (!env.getOrDefault(external, "").isBlank()) {
                throw new UsageError(external, "is set, so the server verifies tokens with that external key and "
                        + "cannot mint them; the platform that owns the key mints tokens (unset it to use "
                        + "Switchboard's generated key)");
            }
        }
        // Same precedence as TokenService, or `kubectl exec … token create` would sign with a key the server ignores.
        String file = env.getOrDefault("CODER_AUTH_SIGNING_KEY_FILE", "");
        if (!file.isBlank()) {
            return KeyFiles.loadOrCreateSigningKey(Path.of(file));
        }
        String dir = env.getOrDefault("CODER_CONFIG_DIR", "");
        Path configDir = dir.isBlank() ? Path.of(System.getProperty("user.home"), ".config", "switchboard")
                : Path.of(dir);
        return KeyFiles.loadOrCreateSigningKey(configDir.resolve(TokenService.SIGNING_KEY_FILE));
    }

    /** Names the three roles instead of picocli's upper-case enum constants. */
    static final class RoleConverter implements CommandLine.ITypeConverter<Role> {
        @Override
        public Role convert(String value) {
            try {
                return Role.fromClaim(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("agent, user or admin, not \"" + value + "\"");
            }
        }
    }

    /** Go-style durations (30m, 24h, 1h30m, 90s), which is how the CODER_* durations are written too. */
    static final class TtlConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                Duration duration = Duration.parse("PT" + value.toUpperCase(Locale.ROOT));
                if (!duration.isNegative() && !duration.isZero()) {
                    return duration;
                }
            } catch (DateTimeParseException e) {
                // reported below
            }
            throw new CommandLine.TypeConversionException(
                    "a positive duration such as 30m, 24h or 1h30m, not \"" + value + "\"");
        }
    }
}
