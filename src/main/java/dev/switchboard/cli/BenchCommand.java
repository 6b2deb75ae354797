package dev.switchboard.cli;

import io.vertx.core.Vertx;
import picocli.CommandLine.Command;

/**
 * {@code switchboard bench}: load tools that measure a running Switchboard (bench/README.md). They run without
 * Quarkus (no listener, no management port, no logs on stdout) on a Vert.x instance of their own, on the same
 * native transport the server prefers, so their figures compare with the server's.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure a running server: STUN and DERP load generators.",
        subcommands = {DerpBenchCommand.class, DerpLatencyBenchCommand.class, ConnsBenchCommand.class,
                StunBenchCommand.class, CoordinatorBenchCommand.class, ColdStartBenchCommand.class,
                HaBenchCommand.class})
public class BenchCommand {
    /** Created by the first tool that needs it; owned by the command's (main) thread. */
    private Vertx vertx;

    Vertx vertx() {
        if (vertx == null) {
            vertx = CliVertx.create();
        }
        return vertx;
    }
}
