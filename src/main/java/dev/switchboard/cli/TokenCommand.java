package dev.switchboard.cli;

import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code switchboard token create}: mints a session token with the key Switchboard generated for itself. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Session tokens for the coordination API.",
        subcommands = {TokenCommand.Create.class})
public class TokenCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Mint a token signed with <CODER_CONFIG_DIR>/auth/token-signing-key.pem (zero-config mode).")
    public static class Create implements Callable<Integer> {
        @Inject
        TokenService tokens;

        @Option(names = "--role", required = true, description = "agent, user or admin")
        String role;

        @Option(names = "--subject", required = true, description = "Agent or user UUID (the sub claim)")
        UUID subject;

        @Option(names = "--agents", split = ",", description = "Agent UUIDs a user may reach")
        List<UUID> agents = List.of();

        @Option(names = "--ttl", defaultValue = "24h", description = "Lifetime, e.g. 30m, 24h (default ${DEFAULT-VALUE})")
        String ttl;

        @Override
        public Integer call() {
            Duration lifetime = Duration.parse("PT" + ttl.toUpperCase());
            System.out.println(tokens.mint(subject, Role.fromClaim(role), agents, lifetime));
            return 0;
        }
    }
}
