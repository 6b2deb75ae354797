package dev.switchboard.tailnet.nat;

import dev.switchboard.tailnet.nat.NatLab.Home;
import dev.switchboard.tailnet.nat.NatLab.Nat;
import dev.switchboard.testing.PeerProcess;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code switchboard agent} and {@code switchboard ping} in two homes behind NAT routers ({@link NatLab}), the server
 * on the lab's internet: which path the pings take for each kind of NAT, and a path that changes mid-run. Root only
 * (skipped with the reason otherwise: {@link NatLabCondition}).
 */
@QuarkusTest
@TestProfile(NatProfile.class)
@ExtendWith(NatLabCondition.class)
class NatTraversalTest extends NatLabTest {
    private static final Pattern MAPPING_VARIES = Pattern.compile("\"MappingVariesByDestIP\"\\s*:\\s*true");

    @Test
    @Timeout(60)
    void easyNatOnBothSidesGoesPeerToPeerThroughTheStunEndpoints() throws Exception {
        lab.nat(Nat.ENDPOINT_INDEPENDENT, Nat.ENDPOINT_INDEPENDENT);
        UUID agent = startAgent(Home.A);
        PeerProcess ping = ping(Home.B, agent, "-v", "-n", "60", "--wait", "250ms");
        // The agent published router A's mapping (learnt by STUN over its magic socket) before its own address.
        String endpoints = ping.expect(false, 0, l -> l.startsWith("    endpoints: "), JVM_START, "agent endpoints");
        assertTrue(endpoints.startsWith("    endpoints: " + lab.routerWan(Home.A) + ":")
                && endpoints.contains(", " + lab.hostAddress(Home.A) + ":"), endpoints);
        ping.expect(true, 0, direct(agent, lab.routerWan(Home.A)), Duration.ofSeconds(20), "p2p pong via router A");
    }

    @Test
    @Timeout(90)
    void symmetricNatOnBothSidesStaysOnDerpAndNetcheckSeesTheMappingVary() throws Exception {
        lab.nat(Nat.SYMMETRIC, Nat.SYMMETRIC);
        UUID agent = startAgent(Home.A);
        PeerProcess ping = ping(Home.B, agent, "-n", "16", "--wait", "500ms");
        assertEquals(0, ping.exitCode(Duration.ofSeconds(60)), ping.transcript());
        List<String> pongs = pongs(ping);
        assertTrue(pongs.size() >= 14 && pongs.stream().allMatch(relayed(agent)), ping.transcript());

        PeerProcess netcheck = netcheck(Home.B);
        assertEquals(0, netcheck.exitCode(Duration.ofSeconds(45)), netcheck.transcript());
        String report = String.join("\n", netcheck.stdout());
        assertTrue(MAPPING_VARIES.matcher(report).find(), "two STUN servers saw two mappings: " + report);
    }

    @Test
    @Timeout(60)
    void udpBlockedBetweenTheHomesAndTheInternetIsRelayed() throws Exception {
        lab.nat(Nat.ENDPOINT_INDEPENDENT, Nat.ENDPOINT_INDEPENDENT);
        lab.blockUdp(true);
        UUID agent = startAgent(Home.A);
        PeerProcess ping = ping(Home.B, agent, "-n", "10", "--wait", "500ms");
        assertEquals(0, ping.exitCode(Duration.ofSeconds(45)), ping.transcript());
        List<String> pongs = pongs(ping);
        assertTrue(pongs.size() >= 9 && pongs.stream().allMatch(relayed(agent)), ping.transcript());
    }

    /**
     * UDP blocked at first: DERP. Unblocked: the next re-STUN (20–26 s) publishes the mappings, disco finds the
     * direct path and the pings move to it. Blocked again: the direct path stops being trusted (6.5 s) and the pings
     * go back through DERP.
     */
    @Test
    @Timeout(120)
    void aRelayedPathUpgradesToDirectWhenUdpOpensAndFallsBackWhenItCloses() throws Exception {
        lab.nat(Nat.ENDPOINT_INDEPENDENT, Nat.ENDPOINT_INDEPENDENT);
        lab.blockUdp(true);
        UUID agent = startAgent(Home.A);
        PeerProcess ping = ping(Home.B, agent, "--wait", "500ms");
        ping.expect(true, 0, relayed(agent), JVM_START, "a relayed pong while UDP is blocked");

        lab.blockUdp(false);
        ping.expect(true, ping.lineCount(true), direct(agent, lab.routerWan(Home.A)), Duration.ofSeconds(45),
                "a direct pong after UDP was let through");

        lab.blockUdp(true);
        ping.expect(true, ping.lineCount(true), relayed(agent), Duration.ofSeconds(30),
                "a relayed pong after UDP was blocked again");
    }
}
