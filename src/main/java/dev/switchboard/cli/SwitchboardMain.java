package dev.switchboard.cli;

import dev.switchboard.config.ConfigOptions;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import picocli.CommandLine;

/**
 * Entry point of the {@code switchboard} binary. Only {@code server} opens listeners: every other command runs with
 * the HTTP listener off, so client tools work beside a running server (platform-notes.md, picocli section).
 */
@QuarkusMain
public class SwitchboardMain implements QuarkusApplication {
    /** System property that tells listener beans whether this process is the server. */
    public static final String SERVER_MODE_PROPERTY = "switchboard.server-mode";

    @Inject
    CommandLine.IFactory factory;

    public static void main(String... args) {
        boolean server = args.length > 0 && args[0].equals("server") && !isHelp(args);
        if (!server) {
            System.setProperty("quarkus.http.host-enabled", "false");
            System.setProperty(SERVER_MODE_PROPERTY, "false");
        }
        Quarkus.run(SwitchboardMain.class, args);
    }

    private static boolean isHelp(String... args) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int run(String... args) {
        CommandLine commandLine = new CommandLine(new SwitchboardCommand(), factory);
        commandLine.getSubcommands().get("server").getCommandSpec().usageMessage().footer(ConfigOptions.helpText());
        return commandLine.execute(args);
    }
}
