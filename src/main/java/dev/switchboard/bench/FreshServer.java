package dev.switchboard.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server process started the way a user starts one (a command such as {@code bin/switchboard server}), with a
 * throw-away config directory and free loopback ports, timed from {@code exec} until {@code GET /healthz} answers
 * 200 (listening) and, on request, until the management listener's {@code /q/health/ready} does (what "start to
 * ready" means for a pod behind a readiness probe). Closing it sends SIGTERM, then kills.
 */
public final class FreshServer implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path configDir;
    private final URI base;
    private final URI management;
    private final long started;
    private final Duration startToListening;

    private FreshServer(Process process, Path configDir, URI base, URI management, long started,
                        Duration startToListening) {
        this.process = process;
        this.configDir = configDir;
        this.base = base;
        this.management = management;
        this.started = started;
        this.startToListening = startToListening;
    }

    /** Starts {@code command} with {@code extraEnv} and waits until it listens; its output goes to {@code log}. */
    public static FreshServer start(List<String> command, Map<String, String> extraEnv, Path log) throws Exception {
        Path configDir = Files.createTempDirectory("switchboard-bench-");
        int port = freePort();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.put("CODER_CONFIG_DIR", configDir.toString());
        env.put("CODER_HTTP_ADDRESS", "127.0.0.1:" + port);
        env.put("CODER_PROMETHEUS_ADDRESS", "127.0.0.1:" + freePort());
        env.put("CODER_STUN_LISTEN_ADDRESSES", "127.0.0.1:0");
        env.putAll(extraEnv);
        URI base = URI.create("http://127.0.0.1:" + port);
        URI management = URI.create("http://" + env.get("CODER_PROMETHEUS_ADDRESS"));
        long started = System.nanoTime();
        Process process = builder.start();
        try {
            await(process, base.resolve("/healthz"), 5);
        } catch (Exception e) {
            process.destroyForcibly();
            deleteTree(configDir);
            throw e;
        }
        return new FreshServer(process, configDir, base, management, started,
                Duration.ofNanos(System.nanoTime() - started));
    }

    public URI derpUrl() {
        return base.resolve("/derp");
    }

    /** {@code http://127.0.0.1:<port>}: the public listener. */
    public URI baseUrl() {
        return base;
    }

    /** {@code kill -9}: no drain, no deregistration, as a crashed pod. */
    public void crash() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** {@code exec} until {@code /healthz} answered 200: the listener is up. */
    public Duration startToListening() {
        return startToListening;
    }

    /** Waits until every readiness check is UP; returns the time from {@code exec}. */
    public Duration awaitReadiness() throws Exception {
        // Every 50 ms, not 5: each probe runs every check (one opens a connection to the listener) and, while the
        // warm-up keeps readiness DOWN, logs the report; 200 probes/s would be load of their own on the server.
        await(process, management.resolve("/q/health/ready"), 50);
        return Duration.ofNanos(System.nanoTime() - started);
    }

    public long pid() {
        return process.pid();
    }

    /** Polls {@code url} every {@code pollMillis} until it answers 200. */
    private static void await(Process process, URI url, long pollMillis) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest probe = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with status " + process.exitValue()
                        + " before it was ready (see its log)");
            }
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // Connection refused until the listener is bound: poll again.
            }
            Thread.sleep(pollMillis);
        }
        throw new IllegalStateException("the server was not ready within " + READY_TIMEOUT.toSeconds() + " s");
    }

    /** A loopback port nothing listens on at the moment of asking (a listener to give to a server, or a closed port). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        deleteTree(configDir);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
