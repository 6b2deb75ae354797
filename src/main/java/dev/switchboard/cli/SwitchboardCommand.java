package dev.switchboard.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code switchboard}: the top-level command; subcommands do the work. */
@Command(name = "switchboard", mixinStandardHelpOptions = true, version = "switchboard 0.1.0",
        description = "DERP relay, STUN responder and tailnet coordinator; tailnet agent, ping, speedtest, "
                + "port-forward and netcheck.",
        subcommands = {ServerCommand.class, TokenCommand.class, KeysCommand.class, BenchCommand.class,
                AgentCommand.class, PingCommand.class, SpeedtestCommand.class, PortForwardCommand.class,
                NetcheckCommand.class})
public class SwitchboardCommand {
    /** Read by {@link ClientCli} from the raw arguments, since it matters most when parsing failed. */
    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Show stack traces of failures")
    boolean verbose;
}
