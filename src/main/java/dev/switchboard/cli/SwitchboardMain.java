package dev.switchboard.cli;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigOptions;
import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import picocli.CommandLine;

import java.util.Arrays;

/**
 * Entry point of the {@code switchboard} binary. Only {@code server} boots Quarkus (quarkus-picocli runs it after
 * start-up); every other command — {@code token}, {@code bench}, {@code --help}, {@code --version} — runs with plain
 * picocli ({@link ClientCli}): no listener, no logs on stdout, well under a second to start.
 */
@QuarkusMain
public class SwitchboardMain implements QuarkusApplication {
    private static final int SIGTERM_EXIT = 143;
    /**
     * Set by {@link #main} for {@code server}: {@link SigtermExit} then makes SIGTERM a clean exit. Other in-JVM
     * launchers keep Quarkus' own signal handling.
     */
    static volatile boolean serverFromMain;

    @Inject
    CommandLine.IFactory factory;

    public static void main(String... args) {
        if (!ClientCli.needsQuarkus(args)) {
            // Client commands never boot Quarkus: no logs, no listeners, no 2.5 s start (ClientCli).
            System.exit(ClientCli.execute(args));
        }
        serverFromMain = true;
        Quarkus.run(SwitchboardMain.class, SwitchboardMain::exit, args);
    }

    /**
     * SIGTERM ends in a completed graceful drain, which is a clean exit (0), not Quarkus' 143; a failure is one line.
     * The final exit is left to Quarkus' default handler (System.exit, or the test harness under test).
     */
    private static void exit(int code, Throwable failure) {
        if (failure != null) {
            // One line that names the problem (for configuration: the variable, its value, what was expected).
            System.err.println("switchboard: " + failureLine(failure));
            ApplicationLifecycleManager.getDefaultExitCodeHandler().accept(1, null);
            return;
        }
        ApplicationLifecycleManager.getDefaultExitCodeHandler().accept(code == SIGTERM_EXIT ? 0 : code, null);
    }

    /**
     * The line a start-up failure prints: a {@link ConfigException} anywhere in the chain says it all (variable,
     * value, reason) and wins over what it may wrap; otherwise the root cause, whose message Quarkus' wrappers only
     * repeat, or its type when it has no message (a refused connection has none).
     */
    static String failureLine(Throwable failure) {
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConfigException) {
                return t.getMessage();
            }
            root = t;
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getName();
    }

    /**
     * Runs {@code server} (the only command that boots Quarkus, {@link ClientCli#needsQuarkus}) on a command line of
     * that command alone: picocli reads the annotations of every command it is given, and the whole tree took ~100 ms
     * of CPU while the first probes arrive (its classes are too old for the AOT cache to hold).
     */
    @Override
    public int run(String... args) {
        CommandLine server = new CommandLine(ServerCommand.class, factory).setCommandName("switchboard server");
        server.getCommandSpec().usageMessage().footer(ConfigOptions.helpText());
        server.setParameterExceptionHandler((e, ignored) -> {
            e.getCommandLine().getErr().println(ClientCli.line(e));
            return ClientCli.USAGE;
        });
        return server.execute(Arrays.copyOfRange(args, 1, args.length));
    }
}
