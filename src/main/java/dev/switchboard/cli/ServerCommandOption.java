package dev.switchboard.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code --command}: how a bench tool that starts servers of its own runs one (a picocli mixin shared by
 * {@code cold-start} and {@code ha}); the default is the README's start command, so the AOT cache is used when recorded.
 */
public class ServerCommandOption {
    @Option(names = "--command", defaultValue = "bin/switchboard server",
            description = "How a server is started, split on spaces (default ${DEFAULT-VALUE})")
    String command;

    List<String> argv() {
        return Arrays.asList(command.trim().split("\\s+"));
    }

    /** Creates the folder of {@code log}, where the servers' output is appended; returns {@code log}. */
    static Path logFile(Path log) throws IOException {
        if (log.getParent() != null) {
            Files.createDirectories(log.getParent());
        }
        return log;
    }
}
