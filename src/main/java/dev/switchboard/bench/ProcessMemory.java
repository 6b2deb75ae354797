package dev.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Reads a process's resident set size from {@code /proc/<pid>/status} (Linux), for per-connection memory figures;
 * for a JVM, after asking it for a full collection so the figure is live memory rather than garbage not yet
 * collected.
 */
public final class ProcessMemory {
    private ProcessMemory() {
    }

    /** VmRSS in bytes, or empty if the process or /proc is not there. */
    public static OptionalLong residentBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    String kb = line.substring("VmRSS:".length()).replace("kB", "").strip();
                    return OptionalLong.of(Long.parseLong(kb) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    /**
     * Runs {@code jcmd <pid> GC.run} with the JDK this tool runs on, then waits a second for the heap to shrink; false
     * if that JVM could not be asked (no jcmd, another user, not a JVM).
     */
    public static boolean collectGarbage(long pid) throws InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            if (process.exitValue() != 0) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        Thread.sleep(1000);
        return true;
    }
}
