package dev.switchboard.cli;

import picocli.CommandLine.Command;

/** {@code switchboard bench}: load tools that measure a running Switchboard (bench/README.md). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure a running server: STUN and DERP load generators.",
        subcommands = {DerpBenchCommand.class, DerpLatencyBenchCommand.class, ConnsBenchCommand.class,
                StunBenchCommand.class, CoordinatorBenchCommand.class})
public class BenchCommand {
}
