package dev.switchboard.cli;

import dev.switchboard.bench.ProcessMemory;
import picocli.CommandLine.Option;

import java.util.OptionalLong;

/** {@code --pid}: the server process whose memory a bench tool reports (a picocli mixin shared by {@code conns}, {@code stun}). */
public class ServerPidOption {
    @Option(names = "--pid", description = "Server PID: report how the run changes its resident memory (RSS)")
    Long pid;

    boolean present() {
        return pid != null;
    }

    /** The server's RSS now; empty without {@code --pid} or where /proc cannot tell. */
    OptionalLong residentBytes() {
        return pid == null ? OptionalLong.empty() : ProcessMemory.residentBytes(pid);
    }

    /** Has the server JVM collect garbage first (jcmd GC.run); false without {@code --pid} or if it could not. */
    boolean collectGarbage() throws InterruptedException {
        return pid != null && ProcessMemory.collectGarbage(pid);
    }
}
