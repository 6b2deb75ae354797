package dev.switchboard.cli;

import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import dev.switchboard.testing.LoopbackAccessUrl;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code switchboard speedtest} and {@code switchboard port-forward} in-process against the real server and a real
 * {@code switchboard agent} on loopback, with "workspace" servers on 127.0.0.1 the agent forwards to.
 */
@QuarkusTest
@TestProfile(LoopbackAccessUrl.class)
class StreamCommandsTest {
    private static final String ROW = "\\d+\\.\\d{2}-\\d+\\.\\d{2} sec  \\d+\\.\\d{4} MBits  \\d+\\.\\d{4} Mbits/sec";

    @TestHTTPResource("/")
    URL root;

    @Inject
    TokenService tokens;

    @Inject
    Vertx vertx;

    private final UUID agentId = UUID.randomUUID();
    private final StringWriter agentErr = new StringWriter();
    private final List<Object> agentMade = new CopyOnWriteArrayList<>();
    private CompletableFuture<Integer> agentExit;
    private final List<Runnable> cleanup = new ArrayList<>();
    // Workspace-side servers on 127.0.0.1; all but "refused" are in the agent's --allow-ports.
    private HttpServer http;
    private NetServer echo;
    private NetServer slow;
    private NetServer refused;
    private final AtomicInteger refusedConnections = new AtomicInteger();
    private final Promise<NetSocket> slowConnection = Promise.promise();

    private String url() {
        return "http://127.0.0.1:" + root.getPort();
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @BeforeEach
    void startWorkspaceAndAgent() throws Exception {
        http = await(vertx.createHttpServer().requestHandler(r -> r.response().end("hello from " + r.path()))
                .listen(0, "127.0.0.1"));
        echo = await(vertx.createNetServer().connectHandler(s -> s.pipeTo(s)).listen(0, "127.0.0.1"));
        slow = await(vertx.createNetServer().connectHandler(s -> {
            s.pause(); // reads nothing until the test resumes it
            slowConnection.tryComplete(s);
        }).listen(0, "127.0.0.1"));
        refused = await(vertx.createNetServer().connectHandler(s -> {
            refusedConnections.incrementAndGet();
            s.close();
        }).listen(0, "127.0.0.1"));
        Map<String, String> env = Map.of("CODER_URL", url(), "CODER_AGENT_TOKEN",
                tokens.mint(agentId, Role.AGENT, List.of(), Duration.ofHours(1)),
                "CODER_AGENT_UDP_BIND", "127.0.0.1:0");
        String allowed = "3," + http.actualPort() + "," + echo.actualPort() + "," + slow.actualPort();
        agentExit = CompletableFuture.supplyAsync(() -> ClientCli.execute(
                TestCommandLine.create(env, new StringWriter(), agentErr, agentMade), "agent", "--allow-ports",
                allowed));
        Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> agentErr.toString().contains("UDP port")
                || agentExit.isDone());
        assertTrue(agentErr.toString().contains("forwarding TCP ports " + allowed), agentErr.toString());
    }

    @AfterEach
    void stop() throws Exception {
        cleanup.forEach(Runnable::run);
        TestCommandLine.made(agentMade, AgentCommand.class).stop.complete(null);
        assertEquals(0, agentExit.get(10, TimeUnit.SECONDS), agentErr.toString());
        await(Future.join(http.close(), echo.close(), slow.close(), refused.close()));
    }

    private record Run(int code, String out, String err) {
    }

    private Map<String, String> clientEnv() {
        return Map.of("CODER_URL", url(), "CODER_SESSION_TOKEN",
                tokens.mint(UUID.randomUUID(), Role.USER, List.of(agentId), Duration.ofHours(1)));
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ClientCli.execute(TestCommandLine.create(clientEnv(), out, err, new ArrayList<>()), args);
        return new Run(code, out.toString(), err.toString());
    }

    // ---- speedtest ----

    @ParameterizedTest(name = "{0}, relay only {1}, {2}")
    @CsvSource({"down,false,json", "up,false,table", "down,true,table", "up,true,json"})
    void speedtestPrintsOneRowPerSecondAndTheTotal(String direction, boolean relayOnly, String output) {
        List<String> args = new ArrayList<>(List.of("speedtest", agentId.toString(), "--direction", direction, "-t",
                "5s", "-o", output, "--udp-bind", "127.0.0.1:0"));
        args.add(relayOnly ? "--disable-direct-connections" : "-d");
        Run run = run(args.toArray(String[]::new));
        assertEquals(0, run.code(), run.out() + run.err());
        System.out.println("speedtest " + String.join(" ", args) + "\n" + run.err() + run.out()); // the measurement
        String label = direction.equals("down") ? "download" : "upload";
        assertTrue(run.err().contains("Starting a 5s " + label + " test..."), run.err());
        // Coder prints the relay's region code (the embedded relay's is "coder") or "direct".
        assertTrue(run.err().lines().anyMatch(l -> l.matches("\\d+ms via " + (relayOnly ? "coder" : "direct"))),
                run.err());
        int intervals;
        if (output.equals("json")) {
            JsonObject json = new JsonObject(run.out().strip());
            JsonArray rows = json.getJsonArray("intervals");
            intervals = rows.size();
            JsonObject overall = json.getJsonObject("overall");
            assertEquals(0, overall.getDouble("start_time_seconds"), 1e-9);
            assertTrue(overall.getDouble("end_time_seconds") > 4.9, run.out());
            assertTrue(overall.getDouble("throughput_mbits") > 1, run.out());
            assertTrue(rows.getJsonObject(0).getDouble("end_time_seconds") >= 1.0, run.out());
        } else {
            List<String> rows = run.out().lines().filter(l -> l.matches(ROW)).toList();
            intervals = rows.size() - 1;
            assertTrue(run.out().startsWith("Interval"), run.out());
            assertTrue(run.out().lines().anyMatch(l -> l.matches("-+")), run.out());
            assertTrue(rows.getLast().startsWith("0.00-"), run.out());
        }
        assertTrue(intervals == 5 || intervals == 6, "one row per second of -t 5s, and a last partial one: "
                + run.out());
    }

    @Test
    void speedtestUsageMistakesAreOneLine() {
        Run sideways = run("speedtest", agentId.toString(), "--direction", "sideways");
        assertEquals(2, sideways.code());
        assertEquals("switchboard: --direction: up or down, not \"sideways\"\n", sideways.err());
        Run quick = run("speedtest", agentId.toString(), "-t", "1s");
        assertEquals(2, quick.code());
        assertEquals("switchboard: --time: between 5s and 30s, not 1s\n", quick.err());
        Run both = run("speedtest", agentId.toString(), "-d", "--disable-direct-connections");
        assertEquals(2, both.code());
        assertTrue(both.err().startsWith("switchboard: --direct: "), both.err());
    }

    // ---- port-forward ----

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code port-forward} for {@code remote}; returns the local port once it printed Ready!. */
    private int forward(int remote) throws IOException {
        int local = freePort();
        StringWriter err = new StringWriter();
        List<Object> made = new CopyOnWriteArrayList<>();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> ClientCli.execute(
                TestCommandLine.create(clientEnv(), new StringWriter(), err, made), "port-forward",
                agentId.toString(), "--tcp", local + ":" + remote, "--udp-bind", "127.0.0.1:0"));
        Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> err.toString().contains("Ready!")
                || exit.isDone());
        assertTrue(err.toString().contains("Forwarding 'tcp://127.0.0.1:" + local
                + "' locally to 'tcp://127.0.0.1:" + remote + "' in the workspace"), err.toString());
        cleanup.add(() -> {
            TestCommandLine.made(made, PortForwardCommand.class).stop.complete(null);
            assertEquals(0, exit.join(), err.toString());
        });
        return local;
    }

    @Test
    void anHttpServerInTheWorkspaceAnswersThroughTheForward() throws Exception {
        int local = forward(http.actualPort());
        for (int i = 0; i < 2; i++) {
            // A new TCP connection each round, and keep-alive on it; HTTP/1.1 rather than an h2c upgrade.
            try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                for (String path : List.of("/a", "/b/c")) {
                    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + local + path)).build();
                    HttpResponse<String> r = client.send(get, HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode());
                    assertEquals("hello from " + path, r.body());
                }
            }
        }
    }

    @Test
    void anInteractiveStreamThenTwentyMebibytesEchoIntact() throws Exception {
        int local = forward(echo.actualPort());
        try (Socket socket = new Socket("127.0.0.1", local)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (String line : List.of("ls\n", "echo hi\n")) {
                out.write(line.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertEquals(line, new String(in.readNBytes(line.length()), StandardCharsets.US_ASCII));
            }
            byte[] data = new byte[20 << 20];
            new Random(20).nextBytes(data);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int at = 0; at < data.length; at += 65_536) {
                        out.write(data, at, Math.min(65_536, data.length - at));
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            MessageDigest echoed = MessageDigest.getInstance("SHA-256");
            byte[] chunk = new byte[65_536];
            long remaining = data.length;
            while (remaining > 0) {
                int n = in.read(chunk, 0, (int) Math.min(chunk.length, remaining));
                assertTrue(n > 0, "the echo ended early with " + remaining + " bytes to go");
                echoed.update(chunk, 0, n);
                remaining -= n;
            }
            writer.get(30, TimeUnit.SECONDS);
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), echoed.digest());
        }
    }

    @Test
    void aSlowReaderInTheWorkspaceStopsTheWriterWithBoundedBuffersThenEverythingArrives() throws Exception {
        int local = forward(slow.actualPort());
        int total = 64 << 20;
        byte[] block = new byte[1 << 20];
        new Random(64).nextBytes(block);
        AtomicLong written = new AtomicLong();
        AtomicBoolean queueFull = new AtomicBoolean();
        NetSocket[] writer = new NetSocket[1];
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (written.get() < total && !writer[0].writeQueueFull()) {
                writer[0].write(Buffer.buffer(block));
                written.addAndGet(block.length);
            }
            if (written.get() < total) {
                queueFull.set(true);
                writer[0].drainHandler(v -> pump[0].run());
            } else {
                writer[0].end();
            }
        };
        // Connected from one context, so the socket, its writes and its drain handler share its loop.
        Promise<Void> started = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> vertx.createNetClient().connect(local, "127.0.0.1")
                .onFailure(started::fail).onSuccess(s -> {
                    writer[0] = s;
                    pump[0].run();
                    started.complete();
                }));
        await(started.future());
        NetSocket reader = await(slowConnection.future());
        long[] last = {-1};
        Awaitility.await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(1500)).until(() -> {
            long now = written.get();
            boolean stalled = now == last[0];
            last[0] = now;
            return stalled;
        });
        assertTrue(queueFull.get(), "the writer met writeQueueFull");
        long stalledAt = written.get();
        assertTrue(stalledAt < 40L << 20, "kernel, Vert.x and tunnel buffers hold a bounded amount: " + stalledAt);
        assertTrue(stalledAt < total);

        MessageDigest received = MessageDigest.getInstance("SHA-256");
        AtomicLong receivedBytes = new AtomicLong();
        Promise<Void> ended = Promise.promise();
        reader.handler(b -> {
            received.update(b.getBytes());
            receivedBytes.addAndGet(b.length());
        });
        reader.endHandler(v -> ended.tryComplete());
        reader.resume();
        await(ended.future());
        assertEquals(total, receivedBytes.get());
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < total / block.length; i++) {
            expected.update(block);
        }
        assertArrayEquals(expected.digest(), received.digest());
    }

    @Test
    void aPortOutsideAllowPortsIsRefused() throws Exception {
        int local = forward(refused.actualPort());
        try (Socket socket = new Socket("127.0.0.1", local)) {
            socket.setSoTimeout(10_000);
            int first;
            try {
                first = socket.getInputStream().read();
            } catch (IOException reset) {
                first = -1;
            }
            assertEquals(-1, first, "the forward closes the connection the agent refused");
        }
        assertEquals(0, refusedConnections.get(), "the agent never dialled the refused port");
        Run bad = run("agent", "--allow-ports", "22,x");
        assertEquals(2, bad.code(), bad.err());
        assertEquals("switchboard: --allow-ports: ports 1-65535 and ranges such as 22,80,8000-8999, not \"22,x\"\n",
                bad.err());
    }
}
