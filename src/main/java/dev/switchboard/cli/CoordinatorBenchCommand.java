package dev.switchboard.cli;

import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import dev.switchboard.bench.CoordinatorLoad;
import dev.switchboard.bench.LatencyStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Option;

import java.net.URI;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code switchboard bench coordinator}: 1 agent × N clients, node-update fan-out latency. Tokens are minted with
 * the server's generated signing key, so run it with the server's CODER_CONFIG_DIR.
 */
@Command(name = "coordinator", mixinStandardHelpOptions = true,
        description = "One agent, N clients: latency of the agent's node updates reaching every client.")
public class CoordinatorBenchCommand implements Callable<Integer> {
    @ParentCommand
    BenchCommand bench;

    /** The server's base URL, not the relay's: not {@link RelayOptions}, whose default ends in /derp. */
    @Option(names = "--url", defaultValue = "http://127.0.0.1:3000", description = "Server base URL (default ${DEFAULT-VALUE})")
    URI url;

    @Option(names = "--clients", defaultValue = "1000", description = "Clients (default ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--rounds", defaultValue = "20", description = "Agent updates to time (default ${DEFAULT-VALUE})")
    int rounds;

    @Override
    public Integer call() throws Exception {
        KeyPair key = TokenCommand.generatedSigningKey(System.getenv());
        UUID agent = UUID.randomUUID();
        LatencyStats stats = new CoordinatorLoad(bench.vertx(), url, clients, rounds).run(agent, (agentId, isAgent) ->
                isAgent ? TokenService.mint(key, agentId, Role.AGENT, List.of(), Duration.ofHours(1))
                        : TokenService.mint(key, UUID.randomUUID(), Role.USER, List.of(agentId), Duration.ofHours(1)));
        return new BenchReport("coordinator")
                .line("coordinator fan-out, 1 agent x %d clients: %s", clients, stats.human())
                .field("clients", clients).latency(stats)
                .print(stats.count() == (long) clients * rounds);
    }
}
