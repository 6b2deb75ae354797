package dev.switchboard.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code switchboard} client command (agent, ping, netcheck) in its own JVM inside a network namespace:
 * {@code [ip netns exec <ns>] java -cp <this JVM's class path> dev.switchboard.cli.SwitchboardMain …}. Client commands
 * never boot Quarkus, so the test classpath is all they need. Output lines are collected as they come.
 */
public final class PeerProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();

    private PeerProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        reader(process.getInputStream(), out);
        reader(process.getErrorStream(), err);
    }

    /** {@code switchboard <args>} on the test class path (client commands need no Quarkus), in {@code namespace} if not null. */
    public static PeerProcess start(String namespace, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(namespace == null ? List.of() : List.of("ip", "netns", "exec", namespace));
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Short-lived clients: C1 only and a small heap keep the two shared cores for the peers' work.
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
                // As the test JVM (pom.xml): JBoss Logging's manager from the start, not a warning on stderr.
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-cp", System.getProperty("java.class.path"), "dev.switchboard.cli.SwitchboardMain"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        return new PeerProcess((namespace == null ? "" : namespace + " ") + args[0], pb.start());
    }

    private void reader(InputStream stream, List<String> lines) {
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (this) {
                        lines.add(line);
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                // The process went away; what it printed stays.
            }
        });
    }

    /** Waits for a stdout ({@code stdout}) or stderr line at index ≥ {@code from} that {@code match}es. */
    public synchronized Optional<String> await(boolean stdout, int from, Predicate<String> match, Duration within)
            throws InterruptedException {
        List<String> lines = stdout ? out : err;
        long deadline = System.nanoTime() + within.toNanos();
        boolean exited = false;
        for (int i = from; ; ) {
            for (; i < lines.size(); i++) {
                if (match.test(lines.get(i))) {
                    return Optional.of(lines.get(i));
                }
            }
            long left = deadline - System.nanoTime();
            if (exited || left <= 0) {
                return Optional.empty();
            }
            exited = !process.isAlive(); // then one more look, once the readers have drained the pipes
            wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), exited ? 300 : 200)));
        }
    }

    /** Like {@link #await} but fails with everything the process printed. */
    public String expect(boolean stdout, int from, Predicate<String> match, Duration within, String what)
            throws InterruptedException {
        return await(stdout, from, match, within).orElseThrow(() -> new AssertionError(name + ": no " + what
                + " within " + within.toSeconds() + " s\n" + transcript()));
    }

    /** How many lines came on stdout (or stderr) so far: a starting point for {@link #await}. */
    public synchronized int lineCount(boolean stdout) {
        return (stdout ? out : err).size();
    }

    /** The stdout lines so far. */
    public synchronized List<String> stdout() {
        return List.copyOf(out);
    }

    public synchronized String transcript() {
        return "--- stdout\n" + String.join("\n", out) + "\n--- stderr\n" + String.join("\n", err);
    }

    /** Waits for the exit; the exit code, or fails with the transcript. */
    public int exitCode(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + ": still running after " + within.toSeconds() + " s\n" + transcript());
        }
        Thread.sleep(100); // the readers drain the pipes
        return process.exitValue();
    }

    /** SIGTERM (the agent disconnects, ping stops), then a kill if it lingers. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
