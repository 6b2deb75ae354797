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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code CODER_BLOCK_DIRECT=true}: behind NATs that would let the peers go direct ({@link NatTraversalTest}), the
 * server's {@code disable_direct_connections} keeps every peer relay-only — no STUN, no endpoints, DERP only.
 */
@QuarkusTest
@TestProfile(NatProfile.BlockDirect.class)
@ExtendWith(NatLabCondition.class)
class BlockDirectNatTest extends NatLabTest {
    @Test
    @Timeout(60)
    void blockDirectRelaysEvenThroughEasyNat() throws Exception {
        lab.nat(Nat.ENDPOINT_INDEPENDENT, Nat.ENDPOINT_INDEPENDENT);
        UUID agent = startAgent(Home.A);
        PeerProcess ping = ping(Home.B, agent, "-v", "-n", "10", "--wait", "500ms");
        assertEquals(0, ping.exitCode(Duration.ofSeconds(45)), ping.transcript());
        List<String> pongs = pongs(ping);
        assertTrue(pongs.size() >= 9 && pongs.stream().allMatch(relayed(agent)), ping.transcript());
        String transcript = ping.transcript();
        assertTrue(transcript.contains("❗ Your Coder administrator has blocked direct connections"), transcript);
        assertTrue(transcript.lines().anyMatch(l -> l.equals("    endpoints: ")), "the agent published none: "
                + transcript);
    }
}
