package dev.switchboard.tailnet.nat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small internet in network namespaces (names unique per run):
 *
 * <pre>
 *   root namespace (the test JVM: DERP, STUN, coordinator)  10.N.0.1 on veth "sb&lt;id&gt;"
 *        │
 *   &lt;p&gt;-inet: bridge br0 ("the internet")
 *        ├── &lt;p&gt;-ra  router A: wan 10.N.0.11, lan 10.N.1.1 ── &lt;p&gt;-ha  home A: 10.N.1.2
 *        └── &lt;p&gt;-rb  router B: wan 10.N.0.12, lan 10.N.2.1 ── &lt;p&gt;-hb  home B: 10.N.2.2
 * </pre>
 *
 * Each router forwards and NATs its home ({@link Nat}); it accepts nothing addressed to itself on its WAN side, as
 * a home router's firewall does, so an unsolicited datagram is dropped before conntrack keeps an entry for it (an
 * entry that would later force a different mapping on the home's own flow to that sender). The homes have no route
 * to each other except through their routers' NAT. {@link #close} deletes every namespace (and with them the veths).
 */
final class NatLab implements AutoCloseable {
    /** The two homes. */
    enum Home {
        A(1), B(2);

        final int subnet;

        Home(int subnet) {
            this.subnet = subnet;
        }
    }

    /** How a router maps its home's flows. */
    enum Nat {
        /** {@code MASQUERADE}: keeps the source port when it can, one mapping for every destination (easy NAT). */
        ENDPOINT_INDEPENDENT,
        /** {@code MASQUERADE --random-fully}: a random port per destination (symmetric, "hard" NAT). */
        SYMMETRIC
    }

    private final String prefix;
    private final int octet;
    private final List<String> namespaces = new ArrayList<>();
    private boolean rootLink;

    private NatLab(String prefix, int octet) {
        this.prefix = prefix;
        this.octet = octet;
    }

    /** Why the lab cannot run here, or null when it can (root, {@code ip netns}, {@code iptables}). */
    static String unavailable() {
        try {
            if (!Files.readString(Path.of("/proc/self/status")).lines()
                    .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[1].equals("0"))) {
                return "needs root for network namespaces";
            }
        } catch (IOException e) {
            return "cannot read /proc/self/status: " + e.getMessage();
        }
        for (String tool : List.of("ip", "iptables")) {
            if (!onPath(tool)) {
                return "needs " + tool + " (iproute2, iptables; .ci/run installs them)";
            }
        }
        try {
            String probe = "sbprobe" + ProcessHandle.current().pid();
            run("ip", "netns", "add", probe);
            run("ip", "netns", "del", probe);
        } catch (IOException | AssertionError e) {
            return "ip netns is unavailable: " + e.getMessage();
        }
        return null;
    }

    /** The internet side's address of the test JVM for subnet octet {@code octet}: where the server is reached. */
    static String serverAddress(int octet) {
        return "10." + octet + ".0.1";
    }

    /** A second octet in 10.200–10.249 that no route or address of this host uses yet (200 if the check fails). */
    static int freeOctet() {
        String used;
        try {
            used = run("ip", "-4", "route", "show", "table", "all") + run("ip", "-4", "addr");
        } catch (IOException | AssertionError e) {
            return 200;
        }
        int start = (int) (ProcessHandle.current().pid() % 50);
        for (int i = 0; i < 50; i++) {
            int octet = 200 + (start + i) % 50;
            if (!used.contains("10." + octet + ".")) {
                return octet;
            }
        }
        return 200;
    }

    /** Builds the lab on {@code 10.<octet>.0.0/16}; on any failure what was built is torn down again. */
    static NatLab create(int octet) throws IOException {
        NatLab lab = new NatLab("sb" + Long.toHexString(ProcessHandle.current().pid() & 0xfff) + octet, octet);
        try {
            lab.build();
            // A test JVM stopped mid-run (a surefire timeout, Ctrl-C) still removes the lab.
            Runtime.getRuntime().addShutdownHook(new Thread(lab::close, "nat-lab-cleanup"));
            return lab;
        } catch (IOException | RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    private void build() throws IOException {
        String inet = ns("inet");
        run("ip", "-n", inet, "link", "set", "lo", "up");
        run("ip", "-n", inet, "link", "add", "br0", "type", "bridge");
        run("ip", "-n", inet, "link", "set", "br0", "up");
        run("ip", "link", "add", prefix, "type", "veth", "peer", "name", "root", "netns", inet);
        rootLink = true;
        run("ip", "addr", "add", serverAddress(octet) + "/24", "dev", prefix);
        run("ip", "link", "set", prefix, "up");
        run("ip", "-n", inet, "link", "set", "root", "master", "br0", "up");
        for (Home home : Home.values()) {
            String router = ns("r" + home.name().toLowerCase());
            String host = ns("h" + home.name().toLowerCase());
            String wanPeer = "w" + home.name().toLowerCase();
            run("ip", "-n", router, "link", "set", "lo", "up");
            run("ip", "-n", router, "link", "add", "wan", "type", "veth", "peer", "name", wanPeer, "netns", inet);
            run("ip", "-n", inet, "link", "set", wanPeer, "master", "br0", "up");
            run("ip", "-n", router, "addr", "add", routerWan(home) + "/24", "dev", "wan");
            run("ip", "-n", router, "link", "set", "wan", "up");
            run("ip", "-n", router, "link", "add", "lan", "type", "veth", "peer", "name", "eth0", "netns", host);
            run("ip", "-n", router, "addr", "add", "10." + octet + "." + home.subnet + ".1/24", "dev", "lan");
            run("ip", "-n", router, "link", "set", "lan", "up");
            run("ip", "netns", "exec", router, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward");
            run("ip", "netns", "exec", router, "iptables", "-A", "INPUT", "-i", "wan", "-j", "DROP");
            run("ip", "-n", host, "link", "set", "lo", "up");
            run("ip", "-n", host, "addr", "add", hostAddress(home) + "/24", "dev", "eth0");
            run("ip", "-n", host, "link", "set", "eth0", "up");
            run("ip", "-n", host, "route", "add", "default", "via", "10." + octet + "." + home.subnet + ".1");
        }
    }

    /** The namespace a home's peer runs in. */
    String home(Home home) {
        return prefix + "-h" + home.name().toLowerCase();
    }

    /** The router's internet-side address: what STUN sees as the home's public IP. */
    String routerWan(Home home) {
        return "10." + octet + ".0." + (10 + home.subnet);
    }

    String hostAddress(Home home) {
        return "10." + octet + "." + home.subnet + ".2";
    }

    /**
     * Sets both routers' NAT, replacing what was there (and lifting any UDP block). Conntrack entries of earlier
     * scenarios stay, but every scenario starts fresh peers on fresh ports, so none of them applies.
     */
    void nat(Nat a, Nat b) throws IOException {
        for (Home home : Home.values()) {
            String router = router(home);
            run("ip", "netns", "exec", router, "iptables", "-t", "nat", "-F", "POSTROUTING");
            run("ip", "netns", "exec", router, "iptables", "-F", "FORWARD");
            List<String> masquerade = new ArrayList<>(List.of("ip", "netns", "exec", router, "iptables", "-t", "nat",
                    "-A", "POSTROUTING", "-o", "wan", "-j", "MASQUERADE"));
            if ((home == Home.A ? a : b) == Nat.SYMMETRIC) {
                masquerade.add("--random-fully");
            }
            run(masquerade.toArray(String[]::new));
        }
    }

    /** Drops (or lets through again) every UDP datagram the routers would forward between home and internet. */
    void blockUdp(boolean block) throws IOException {
        for (Home home : Home.values()) {
            String router = router(home);
            run("ip", "netns", "exec", router, "iptables", "-F", "FORWARD");
            if (block) {
                run("ip", "netns", "exec", router, "iptables", "-A", "FORWARD", "-p", "udp", "-j", "DROP");
            }
        }
    }

    private String router(Home home) {
        return prefix + "-r" + home.name().toLowerCase();
    }

    private synchronized String ns(String name) throws IOException {
        String full = prefix + "-" + name;
        run("ip", "netns", "add", full);
        namespaces.add(full);
        return full;
    }

    /**
     * Deletes the root veth (at once: the kernel would remove it with its namespace, but asynchronously) and the
     * namespaces with everything in them; best effort, never throws.
     */
    @Override
    public synchronized void close() {
        if (rootLink) {
            try {
                run("ip", "link", "del", prefix);
            } catch (IOException | AssertionError e) {
                System.err.println("nat lab: " + e.getMessage());
            }
            rootLink = false;
        }
        for (String ns : namespaces.reversed()) {
            try {
                run("ip", "netns", "del", ns);
            } catch (IOException | AssertionError e) {
                System.err.println("nat lab: " + e.getMessage());
            }
        }
        namespaces.clear();
    }

    static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + ": timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out.strip());
        }
        return out;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
