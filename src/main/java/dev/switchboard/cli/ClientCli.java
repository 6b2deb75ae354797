package dev.switchboard.cli;

import dev.switchboard.config.ConfigOptions;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.List;

/**
 * Runs the commands that need no server — {@code token …}, {@code bench …}, {@code agent}, {@code ping},
 * {@code speedtest}, {@code port-forward}, {@code netcheck}, every {@code --help} and
 * {@code --version} — with plain picocli, without booting Quarkus: they answer in a fraction of a second, print
 * nothing but their result on stdout and open no listener. Only {@code server} boots Quarkus.
 */
public final class ClientCli {
    /** Exit status of a usage mistake, as picocli and most Unix tools use. */
    static final int USAGE = 2;

    private ClientCli() {
    }

    /** Whether these arguments need the Quarkus application (the server) rather than {@link #execute}. */
    static boolean needsQuarkus(String... args) {
        List<String> all = List.of(args);
        return args.length > 0 && args[0].equals("server") && !all.contains("--help") && !all.contains("-h")
                && !all.contains("--version") && !all.contains("-V");
    }

    public static int execute(String... args) {
        return execute(new CommandLine(new SwitchboardCommand()), args);
    }

    /** Runs on a prepared command line (tests set its streams and the token command's environment). */
    static int execute(CommandLine commandLine, String... args) {
        boolean verbose = List.of(args).contains("--verbose");
        commandLine.getSubcommands().get("server").getCommandSpec().usageMessage().footer(ConfigOptions.helpText());
        commandLine.setParameterExceptionHandler((e, ignored) -> {
            e.getCommandLine().getErr().println(line(e));
            if (verbose) {
                e.printStackTrace(e.getCommandLine().getErr());
            }
            return USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, cmd, ignored) -> {
            PrintWriter err = cmd.getErr();
            if (e instanceof UsageError usage) {
                err.println(usage.line());
            } else {
                err.println(prefix(cmd) + e.getMessage());
            }
            if (verbose) {
                e.printStackTrace(err);
            }
            return e instanceof UsageError ? USAGE : 1;
        });
        return commandLine.execute(args);
    }

    /** {@code switchboard: --ttl: a positive duration …}: the option, then what it expects. */
    static String line(CommandLine.ParameterException e) {
        if (e.getCause() instanceof CommandLine.TypeConversionException conversion
                && e.getArgSpec() instanceof CommandLine.Model.OptionSpec option) {
            return "switchboard: " + option.longestName() + ": " + conversion.getMessage();
        }
        // Picocli's own one-liners ("Missing required option: '--role=<role>'", "Unknown option: '--x'").
        return prefix(e.getCommandLine()) + e.getMessage() + " (see --help)";
    }

    /** {@code switchboard: token: } for a subcommand, {@code switchboard: } for the root (not "switchboard: switchboard:"). */
    private static String prefix(CommandLine where) {
        return where.getParent() == null ? "switchboard: " : "switchboard: " + where.getCommandName() + ": ";
    }
}
