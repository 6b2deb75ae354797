package dev.switchboard.cli;

import io.quarkus.runtime.Quarkus;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code switchboard server}: runs the relay, STUN responder and APIs until SIGTERM. Configured by CODER_* variables. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Run the Switchboard service (configured with CODER_* environment variables).")
public class ServerCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Quarkus.waitForExit();
        return 0;
    }
}
