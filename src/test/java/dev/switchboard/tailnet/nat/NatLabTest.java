package dev.switchboard.tailnet.nat;

import dev.switchboard.auth.Role;
import dev.switchboard.auth.TokenService;
import dev.switchboard.testing.PeerProcess;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * What the NAT lab classes share: the lab around the test server ({@link NatProfile}), agents and clients started
 * as separate JVMs in the homes, and their clean-up after every test, passed or not.
 */
abstract class NatLabTest {
    static final Duration JVM_START = Duration.ofSeconds(30);
    static NatLab lab;

    @Inject
    TokenService tokens;

    private final List<PeerProcess> processes = new ArrayList<>();

    @BeforeAll
    static void buildLab() throws IOException {
        String host = URI.create(accessUrl()).getHost();
        lab = NatLab.create(Integer.parseInt(host.split("\\.")[1]));
    }

    @AfterAll
    static void tearDownLab() {
        if (lab != null) {
            lab.close();
            lab = null;
        }
    }

    @AfterEach
    void stopPeers() throws InterruptedException {
        for (PeerProcess p : processes) {
            p.close();
            System.out.println(p.transcript());
        }
        processes.clear();
    }

    static String accessUrl() {
        return ConfigProvider.getConfig().getValue("coder.access-url", String.class);
    }

    /** Starts {@code switchboard agent} in {@code home} and waits until it is coordinating; its agent ID. */
    UUID startAgent(NatLab.Home home) throws IOException, InterruptedException {
        UUID id = UUID.randomUUID();
        PeerProcess agent = track(PeerProcess.start(lab.home(home), Map.of("CODER_URL", accessUrl(),
                "CODER_AGENT_TOKEN", tokens.mint(id, Role.AGENT, List.of(), Duration.ofHours(1))), "agent"));
        agent.expect(false, 0, l -> l.contains("coordinator connected"), JVM_START, "coordinator connection");
        return id;
    }

    /** Starts {@code switchboard ping <agent> args…} in {@code home} as a user allowed to reach that agent. */
    PeerProcess ping(NatLab.Home home, UUID agent, String... args) throws IOException {
        String[] all = new String[args.length + 2];
        all[0] = "ping";
        all[1] = agent.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return track(PeerProcess.start(lab.home(home), userEnv(agent), all));
    }

    /** Starts {@code switchboard netcheck} in {@code home}. */
    PeerProcess netcheck(NatLab.Home home) throws IOException {
        return track(PeerProcess.start(lab.home(home), userEnv(UUID.randomUUID()), "netcheck"));
    }

    private Map<String, String> userEnv(UUID agent) {
        return Map.of("CODER_URL", accessUrl(), "CODER_SESSION_TOKEN",
                tokens.mint(UUID.randomUUID(), Role.USER, List.of(agent), Duration.ofHours(1)));
    }

    private PeerProcess track(PeerProcess p) {
        processes.add(p);
        return p;
    }

    /** A pong that came through the embedded relay. */
    static Predicate<String> relayed(UUID agent) {
        return l -> l.startsWith("pong from " + agent + " proxied via DERP(Coder Embedded Relay) in ");
    }

    /** A pong that came directly from {@code ip}, any port. */
    static Predicate<String> direct(UUID agent, String ip) {
        return l -> l.startsWith("pong from " + agent + " p2p via " + ip + ":");
    }

    /** The pong lines of a finished ping. */
    static List<String> pongs(PeerProcess ping) {
        return ping.stdout().stream().filter(l -> l.startsWith("pong from ")).toList();
    }
}
