package dev.switchboard.cli;

import picocli.CommandLine.Command;

/** {@code switchboard}: the top-level command; subcommands do the work. */
@Command(name = "switchboard", mixinStandardHelpOptions = true, version = "switchboard 0.1.0",
        description = "DERP relay, STUN responder and tailnet coordinator.",
        subcommands = {ServerCommand.class, TokenCommand.class, BenchCommand.class})
public class SwitchboardCommand {
}
