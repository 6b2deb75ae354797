package dev.switchboard.tailnet.wireguard;

import dev.switchboard.tailnet.ip.Icmpv6Echo;
import dev.switchboard.tailnet.ip.IpPacket;
import dev.switchboard.tailnet.tcp.TcpScheduler;
import dev.switchboard.tailnet.tcp.TcpSocket;
import dev.switchboard.tailnet.tcp.TcpStack;
import dev.switchboard.tailnet.tcp.TcpStackConfig;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Interop with code we did not write: Debian's wireguard-go on a TUN in this network namespace, configured with
 * {@code wg set}, peered with a {@link WireGuardDevice} behind a plain DatagramChannel on 127.0.0.1. Needs root and
 * {@code wireguard-go}, {@code wg}, {@code ip}, {@code ping} (CI installs them in .ci/run); skipped otherwise.
 *
 * <ol>
 *   <li>The kernel pings the Java address through the TUN: wireguard-go initiates, Java responds, Java answers the
 *       echo requests with {@link Icmpv6Echo}.</li>
 *   <li>Java starts from a fresh peer state, initiates, and pings the kernel's address through wireguard-go.</li>
 *   <li>Java is "under load": wireguard-go's initiation gets a cookie reply, and its retry carries a valid mac2.</li>
 *   <li>Kernel TCP against our userspace {@link TcpStack} on the Java address: {@code curl} fetches from a Java HTTP
 *       responder, Java downloads from {@code python3 -m http.server} on the kernel's address, SHA-256 checked;
 *       then again through 2 % loss and 20-50 ms of random delay (so reordering) in the Java peer's UDP loop.</li>
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WireGuardGoInteropTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int SUBNET = 0x5b00 | RANDOM.nextInt(0x100);
    private static final String KERNEL_ADDR = "fd7a:115c:a1e0:" + Integer.toHexString(SUBNET) + "::1";
    private static final String JAVA_ADDR = "fd7a:115c:a1e0:" + Integer.toHexString(SUBNET) + "::2";
    private static final String IFNAME = "sbwg" + (ProcessHandle.current().pid() % 100_000);

    private static Path dir;
    private static Process wireguardGo;
    private static String wgGoPublicKey;
    private static int wgGoPort;
    private static NoisePrivateKey wgGoKey;
    private static Loop loop;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(isRoot(), "needs root for a TUN device");
        assumeTrue(onPath("wireguard-go") && onPath("wg") && onPath("ip") && onPath("ping"),
                "needs wireguard-go, wg (wireguard-tools), ip (iproute2) and ping (iputils-ping)");
        dir = Files.createTempDirectory("sbwg");
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        wgGoKey = NoisePrivateKey.of(raw);
        raw[0] &= (byte) 248;
        raw[31] = (byte) ((raw[31] & 127) | 64);
        Path keyFile = dir.resolve("wg.key");
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(raw) + "\n");
        wgGoPublicKey = Base64.getEncoder().encodeToString(wgGoKey.publicKey().toBytes());
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            wgGoPort = probe.getLocalPort();
        }

        loop = new Loop(wgGoKey);
        ProcessBuilder pb = new ProcessBuilder("wireguard-go", "-f", IFNAME)
                .redirectErrorStream(true).redirectOutput(dir.resolve("wireguard-go.log").toFile());
        pb.environment().put("WG_PROCESS_FOREGROUND", "1");
        pb.environment().put("LOG_LEVEL", "verbose");
        wireguardGo = pb.start();
        Path sock = Path.of("/var/run/wireguard", IFNAME + ".sock");
        for (int i = 0; i < 100 && !Files.exists(sock); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(sock), "wireguard-go did not create its UAPI socket: " + log());
        run("wg", "set", IFNAME, "private-key", keyFile.toString(), "listen-port", Integer.toString(wgGoPort),
                "peer", Base64.getEncoder().encodeToString(loop.javaKey.publicKey().toBytes()),
                "endpoint", "127.0.0.1:" + loop.port(), "allowed-ips", JAVA_ADDR + "/128");
        run("ip", "-6", "addr", "add", KERNEL_ADDR + "/128", "dev", IFNAME, "nodad");
        run("ip", "link", "set", IFNAME, "mtu", "1280", "up");
        run("ip", "-6", "route", "add", JAVA_ADDR + "/128", "dev", IFNAME);
        loop.thread.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (loop != null) {
            loop.stop();
        }
        if (wireguardGo != null) {
            wireguardGo.destroy();
            if (!wireguardGo.waitFor(3, TimeUnit.SECONDS)) {
                wireguardGo.destroyForcibly();
            }
            // The TUN normally goes with the process; make sure.
            new ProcessBuilder("ip", "link", "del", IFNAME).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(3, TimeUnit.SECONDS);
            System.out.println("wireguard-go log:\n" + log());
        }
    }

    @Test
    @Order(1)
    void kernelPingsJavaThroughWireguardGo() throws Exception {
        String out = run("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", JAVA_ADDR);
        System.out.println(out);
        assertTrue(out.contains("3 received"), out);
        assertEquals(3, loop.echoRequestsAnswered.get());
        assertTrue(loop.handshakesAnswered.get() >= 1, "wireguard-go initiated and Java responded");
        String first = run("wg", "show", IFNAME, "transfer");
        assertTrue(first.strip().endsWith("524\t580"), "rx 92 + 3 x 144, tx 148 + 3 x 144: " + first);
        // Sizes around the padding rules: 1232 data bytes make a 1280-byte packet, exactly the MTU (no padding);
        // 1 data byte makes 49 bytes, padded to 64.
        String full = run("ping", "-6", "-c", "2", "-i", "0.2", "-W", "2", "-s", "1232", "-M", "do", JAVA_ADDR);
        assertTrue(full.contains("2 received"), full);
        String tiny = run("ping", "-6", "-c", "2", "-i", "0.2", "-W", "2", "-s", "1", JAVA_ADDR);
        assertTrue(tiny.contains("2 received"), tiny);
        String transfer = run("wg", "show", IFNAME, "transfer");
        System.out.println("wg show transfer: " + transfer.strip() + "; Java drops: " + loop.drops);
        // + 2 x (1280 + 32) unpadded at the MTU and 2 x (64 + 32) for 49 bytes padded to 64, each way.
        assertTrue(transfer.strip().endsWith("3340\t3396"), transfer);

        // A flood through wireguard-go's parallel crypto workers (which may reorder) and our replay window.
        String flood = run("ping", "-6", "-f", "-c", "500", "-s", "1000", "-W", "2", JAVA_ADDR);
        assertTrue(flood.contains("500 received"), flood);
        System.out.println(flood.lines().filter(l -> l.contains("rtt") || l.contains("received"))
                .reduce("", (x, y) -> x + y + "\n") + "Java drops: " + loop.drops);
    }

    @Test
    @Order(2)
    void javaInitiatesAndPingsKernel() throws Exception {
        int handshakesBefore = loop.initiationsSent.get();
        loop.submit(() -> {
            loop.resetPeer();
            loop.sendEcho(1);
        });
        byte[] reply = loop.echoReplies.poll(10, TimeUnit.SECONDS);
        assertNotNull(reply, "no echo reply from the kernel; wireguard-go log:\n" + log());
        assertTrue(loop.initiationsSent.get() > handshakesBefore, "Java initiated a handshake");
        assertEquals(Icmpv6Echo.ECHO_REPLY, reply[40] & 0xff);
        assertArrayEquals(InetAddress.getByName(KERNEL_ADDR).getAddress(), Arrays.copyOfRange(reply, 8, 24));
        loop.submit(() -> loop.sendEcho(2));
        byte[] second = loop.echoReplies.poll(5, TimeUnit.SECONDS);
        assertNotNull(second);
        assertEquals(2, second[47]);
        assertTrue(loop.peer.currentKeypair().isInitiator());
    }

    @Test
    @Order(3)
    void underLoadWireguardGoRetriesWithCookie() throws Exception {
        // A fresh peer on the wireguard-go side forgets its session, so the next ping makes it initiate.
        String javaPub = Base64.getEncoder().encodeToString(loop.javaKey.publicKey().toBytes());
        run("wg", "set", IFNAME, "peer", javaPub, "remove");
        run("wg", "set", IFNAME, "peer", javaPub, "endpoint", "127.0.0.1:" + loop.port(), "allowed-ips",
                JAVA_ADDR + "/128");
        run("ip", "-6", "route", "replace", JAVA_ADDR + "/128", "dev", IFNAME);
        loop.underLoad = true;
        int cookiesBefore = loop.cookieRepliesSent.get();
        int answeredBefore = loop.handshakesAnswered.get();
        String out = run("ping", "-6", "-c", "1", "-W", "8", JAVA_ADDR);
        assertTrue(out.contains("1 received"), out + "\nwireguard-go log:\n" + log());
        assertTrue(loop.cookieRepliesSent.get() > cookiesBefore, "the first initiation got a cookie reply");
        assertTrue(loop.handshakesAnswered.get() > answeredBefore, "the retry's mac2 verified under load");
        loop.underLoad = false;
    }

    @Test
    @Order(4)
    void kernelTcpAndOurStackExchangeFilesBothWays() throws Exception {
        assumeTrue(onPath("curl") && onPath("python3"), "needs curl and python3 for the kernel's side");
        byte[] served = random(4 << 20, 4);
        assertArrayEquals(sha256(served), sha256(curlFromJava(8080, served)));
        byte[] hosted = random(4 << 20, 5);
        assertArrayEquals(sha256(hosted), sha256(downloadFromKernel(8081, hosted)));
        System.out.println("TCP over wireguard-go: 4 MiB each way intact; Java drops: " + loop.drops);
    }

    @Test
    @Order(5)
    void throughLossDelayAndReorderingTheFilesStillArriveIntact() throws Exception {
        assumeTrue(onPath("curl") && onPath("python3"), "needs curl and python3 for the kernel's side");
        // What tc netem would do (this kernel has no sch_netem), in the Java peer's UDP loop, both directions: 2 %
        // of the datagrams lost, the rest delayed 20-50 ms at random, so they also arrive out of order. At ~70 ms
        // RTT and 2 % loss TCP moves roughly MSS/RTT x 1.22/sqrt(p) = 150 kB/s (Mathis et al.), hence 512 KiB.
        loop.lossPercent = 2;
        try {
            byte[] served = random(512 << 10, 6);
            assertArrayEquals(sha256(served), sha256(curlFromJava(8082, served)));
            byte[] hosted = random(512 << 10, 7);
            assertArrayEquals(sha256(hosted), sha256(downloadFromKernel(8083, hosted)));
        } finally {
            loop.lossPercent = 0;
        }
        System.out.println("TCP through 2 % loss, 20-50 ms delay and reordering: 512 KiB each way intact; datagrams "
                + "dropped: " + loop.impairedDrops + "; Java drops: " + loop.drops);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    /** A one-shot HTTP responder on the Java address; {@code curl} (kernel TCP) fetches {@code body} from it. */
    private static byte[] curlFromJava(int port, byte[] body) throws Exception {
        loop.submit(() -> loop.tcp.listen(port, 4).handler(s -> {
            Buffer request = Buffer.buffer();
            s.handler(b -> {
                boolean first = !request.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n");
                request.appendBuffer(b);
                if (first && request.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                    s.write(Buffer.buffer("HTTP/1.1 200 OK\r\nContent-Length: " + body.length
                            + "\r\nConnection: close\r\n\r\n"));
                    writeAll(s, body, new int[1]);
                }
            });
        }));
        Path file = dir.resolve("from-java-" + port);
        run("curl", "-g", "-sS", "--max-time", "14", "-o", file.toString(),
                "http://[" + JAVA_ADDR + "]:" + port + "/");
        return Files.readAllBytes(file);
    }

    /** Writes {@code data} as the socket takes it (drain handler), then half-closes. On the loop thread. */
    private static void writeAll(TcpSocket s, byte[] data, int[] at) {
        while (at[0] < data.length && !s.writeQueueFull()) {
            int n = Math.min(16 * 1024, data.length - at[0]);
            s.write(Buffer.buffer().appendBytes(data, at[0], n));
            at[0] += n;
        }
        if (at[0] < data.length) {
            s.drainHandler(v -> writeAll(s, data, at));
        } else {
            s.end();
        }
    }

    /** Serves {@code body} with {@code python3 -m http.server} on the kernel's address; Java fetches it. */
    private static byte[] downloadFromKernel(int port, byte[] body) throws Exception {
        Path www = Files.createDirectories(dir.resolve("www-" + port));
        Files.write(www.resolve("file"), body);
        Process server = new ProcessBuilder("python3", "-m", "http.server", Integer.toString(port), "--bind",
                KERNEL_ADDR, "--directory", www.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("http-" + port + ".log").toFile()).start();
        try {
            for (int attempt = 0; ; attempt++) {
                try {
                    byte[] response = fetch(port, "/file");
                    String text = new String(response, StandardCharsets.ISO_8859_1);
                    int headerEnd = text.indexOf("\r\n\r\n");
                    assertTrue(text.startsWith("HTTP/1.0 200"), text.substring(0, Math.min(200, text.length())));
                    return Arrays.copyOfRange(response, headerEnd + 4, response.length);
                } catch (java.util.concurrent.ExecutionException refused) {
                    if (attempt == 50) {
                        throw refused;
                    }
                    Thread.sleep(100); // python is still starting: the kernel refused the SYN
                }
            }
        } finally {
            server.destroy();
            server.waitFor(3, TimeUnit.SECONDS);
        }
    }

    /** An HTTP/1.0 GET from the Java address to the kernel's over our stack; the whole response. */
    private static byte[] fetch(int port, String path) throws Exception {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        byte[] kernel = InetAddress.getByName(KERNEL_ADDR).getAddress();
        loop.submit(() -> loop.tcp.connect(kernel, port).onComplete(ar -> {
            if (ar.failed()) {
                result.completeExceptionally(ar.cause());
                return;
            }
            TcpSocket s = ar.result();
            Buffer all = Buffer.buffer();
            s.exceptionHandler(result::completeExceptionally);
            s.handler(all::appendBuffer);
            s.endHandler(v -> {
                result.complete(all.getBytes());
                s.end();
            });
            s.write(Buffer.buffer("GET " + path + " HTTP/1.0\r\nHost: kernel\r\n\r\n"));
        }));
        return result.get(20, TimeUnit.SECONDS);
    }

    private static boolean isRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[1].equals("0");
            }
        }
        return false;
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(15, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed: " + out);
        return out;
    }

    private static String log() {
        try {
            return Files.readString(dir.resolve("wireguard-go.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The Java peer: one thread owns the device and the channel, as magicsock's event loop would. */
    static final class Loop {
        final NoisePrivateKey javaKey = NoisePrivateKey.generate();
        final WireGuardDevice device = new WireGuardDevice(javaKey, 4, System::nanoTime, Clock.systemUTC());
        final DatagramChannel channel;
        final Selector selector;
        final Thread thread = new Thread(this::run, "wg-interop-loop");
        final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        final BlockingQueue<byte[]> echoReplies = new LinkedBlockingQueue<>();
        final AtomicInteger echoRequestsAnswered = new AtomicInteger();
        final AtomicInteger handshakesAnswered = new AtomicInteger();
        final AtomicInteger initiationsSent = new AtomicInteger();
        final AtomicInteger cookieRepliesSent = new AtomicInteger();
        final Map<DropReason, Integer> drops = java.util.Collections.synchronizedMap(new EnumMap<>(DropReason.class));
        final NoisePrivateKey remote;
        volatile boolean underLoad;
        volatile boolean running = true;
        WireGuardPeer peer; // owned by the loop thread
        final byte[] buf = new byte[2048];
        /** Our userspace TCP on the Java address, run by this loop: its timers are polled like the device's. */
        final LoopClock clock = new LoopClock();
        final TcpStack tcp;
        /** A netem in the loop: above 0, each datagram either way is lost with this chance, else delayed 20-50 ms. */
        volatile int lossPercent;
        final AtomicInteger impairedDrops = new AtomicInteger();
        private final Random impairment = new Random(42);
        private final java.util.PriorityQueue<Delayed> delayed =
                new java.util.PriorityQueue<>(java.util.Comparator.comparingLong(Delayed::at));

        private record Delayed(long at, byte[] datagram, InetSocketAddress peer, boolean inbound) {
        }

        Loop(NoisePrivateKey remote) throws IOException {
            this.remote = remote;
            channel = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            resetPeer();
            tcp = new TcpStack(InetAddress.getByName(JAVA_ADDR).getAddress(), null, TcpStackConfig.defaults(),
                    this::sendIp, clock, new SecureRandom());
        }

        /** The stack's packets, sealed for wireguard-go (staged until a session exists). */
        private void sendIp(byte[] packet, int offset, int length) {
            staged.add(Arrays.copyOfRange(packet, offset, offset + length));
            try {
                flushStaged();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        int port() throws IOException {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        }

        void resetPeer() {
            peer = device.addPeer(remote.publicKey(), List.of(AllowedIp.parse(KERNEL_ADDR + "/128")),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), wgGoPort));
        }

        void submit(Runnable task) {
            tasks.add(task);
            selector.wakeup();
        }

        void stop() throws Exception {
            running = false;
            selector.wakeup();
            thread.join(2000);
            channel.close();
            selector.close();
        }

        /** Sends an echo request from the Java address to the kernel's; staged until a session exists. */
        void sendEcho(int seq) {
            try {
                byte[] out = new byte[2048];
                int ipLen = EchoPackets.request(out, 16, InetAddress.getByName(JAVA_ADDR).getAddress(),
                        InetAddress.getByName(KERNEL_ADDR).getAddress(), 0x5b, seq, 56);
                staged.add(Arrays.copyOfRange(out, 16, 16 + ipLen));
                flushStaged();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private final List<byte[]> staged = new ArrayList<>();

        private void flushStaged() throws IOException {
            while (!staged.isEmpty()) {
                byte[] ip = staged.get(0);
                byte[] out = new byte[ip.length + 64];
                System.arraycopy(ip, 0, out, 16, ip.length);
                int n = device.send(peer, out, 0, ip.length);
                if (n == WireGuardDevice.NO_SESSION) {
                    pollTimers();
                    return;
                }
                staged.remove(0);
                transmit(out, n, peer.endpoint());
            }
        }

        private void pollTimers() throws IOException {
            for (WireGuardPeer p : device.peers()) {
                byte[] d;
                while ((d = device.poll(p)) != null) {
                    if (MessageType.of(d, 0) == MessageType.INITIATION) {
                        initiationsSent.incrementAndGet();
                    }
                    transmit(d, d.length, p.endpoint());
                }
            }
        }

        private void run() {
            try {
                while (running) {
                    long next = delayed.isEmpty() ? clock.wake : Math.min(clock.wake, delayed.peek().at());
                    long untilWake = next == Long.MAX_VALUE ? 20 : (next - System.nanoTime()) / 1_000_000;
                    selector.select(Math.max(1, Math.min(20, untilWake)));
                    selector.selectedKeys().clear();
                    Runnable task;
                    while ((task = tasks.poll()) != null) {
                        task.run();
                    }
                    ByteBuffer bb = ByteBuffer.wrap(buf);
                    InetSocketAddress src;
                    while ((src = (InetSocketAddress) channel.receive(bb.clear())) != null) {
                        arrive(src, bb.position());
                    }
                    deliverDelayed();
                    if (clock.wake != Long.MAX_VALUE && System.nanoTime() - clock.wake >= 0) {
                        clock.wake = Long.MAX_VALUE;
                        tcp.onTimer();
                    }
                    pollTimers();
                }
            } catch (IOException e) {
                if (running) {
                    throw new IllegalStateException(e);
                }
            }
        }

        private void transmit(byte[] datagram, int len, InetSocketAddress to) throws IOException {
            if (lossPercent == 0) {
                channel.send(ByteBuffer.wrap(datagram, 0, len), to);
            } else if (!lost()) {
                delayed.add(new Delayed(later(), Arrays.copyOf(datagram, len), to, false));
            }
        }

        private void arrive(InetSocketAddress src, int len) throws IOException {
            if (lossPercent == 0) {
                handle(src, len);
            } else if (!lost()) {
                delayed.add(new Delayed(later(), Arrays.copyOf(buf, len), src, true));
            }
        }

        private boolean lost() {
            boolean lost = impairment.nextInt(100) < lossPercent;
            if (lost) {
                impairedDrops.incrementAndGet();
            }
            return lost;
        }

        private long later() {
            return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20 + impairment.nextInt(31));
        }

        private void deliverDelayed() throws IOException {
            long now = System.nanoTime();
            while (!delayed.isEmpty() && delayed.peek().at() - now <= 0) {
                Delayed d = delayed.poll();
                if (d.inbound()) {
                    System.arraycopy(d.datagram(), 0, buf, 0, d.datagram().length);
                    handle(d.peer(), d.datagram().length);
                } else {
                    channel.send(ByteBuffer.wrap(d.datagram()), d.peer());
                }
            }
        }

        private void handle(InetSocketAddress src, int len) throws IOException {
            Received r = device.receive(buf, 0, len, src, underLoad);
            switch (r) {
                case Received.Reply reply -> {
                    if (MessageType.of(reply.datagram(), 0) == MessageType.RESPONSE) {
                        handshakesAnswered.incrementAndGet();
                    }
                    transmit(reply.datagram(), reply.datagram().length, reply.peer().endpoint());
                    flushStaged();
                }
                case Received.CookieReply cookie -> {
                    cookieRepliesSent.incrementAndGet();
                    transmit(cookie.datagram(), cookie.datagram().length, src);
                }
                case Received.Data data -> {
                    IpPacket packet = data.packet();
                    if (packet.protocol() == IpPacket.PROTOCOL_TCP) {
                        tcp.onPacket(buf, packet.offset(), packet.length());
                    } else if (packet.protocol() == IpPacket.PROTOCOL_ICMPV6
                            && (buf[packet.payloadOffset()] & 0xff) == Icmpv6Echo.ECHO_REPLY) {
                        echoReplies.add(Arrays.copyOfRange(buf, packet.offset(), packet.offset() + packet.length()));
                    } else if (Icmpv6Echo.replyInPlace(packet) == Icmpv6Echo.Outcome.REPLIED) {
                        // The reply sits at offset 16 already: seal it in the same buffer.
                        int n = device.send(data.peer(), buf, 0, packet.length());
                        if (n > 0) {
                            echoRequestsAnswered.incrementAndGet();
                            transmit(buf, n, data.peer().endpoint());
                        }
                    }
                    flushStaged();
                }
                case Received.Consumed consumed -> flushStaged();
                case Received.Dropped dropped -> drops.merge(dropped.reason(), 1, Integer::sum);
            }
        }
    }

    /** The stack's clock on the loop thread: the loop runs {@link TcpStack#onTimer} once {@code wake} has passed. */
    static final class LoopClock implements TcpScheduler {
        long wake = Long.MAX_VALUE; // owned by the loop thread

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void wakeAt(long deadlineNanos) {
            wake = deadlineNanos;
        }
    }
}
