package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.CertName;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.derpmap.DerpNode;
import dev.switchboard.derpmap.DerpRegion;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DerpNodeDialTest {
    private static DerpNode node(String host, String ipv4, int port, boolean forceHttp, boolean insecure) {
        return new DerpNode("1a", 1, host, null, ipv4, null, 0, false, port, insecure, forceHttp, null, false);
    }

    @Test
    void urlFollowsHostNamePortAndScheme() {
        assertEquals(URI.create("https://derp.example.com:443/derp"), DerpNodeDial.url(node("derp.example.com", null, 0, false, false)));
        assertEquals(URI.create("https://derp.example.com:8443/derp"), DerpNodeDial.url(node("derp.example.com", null, 8443, false, false)));
        assertEquals(URI.create("http://derp.example.com:80/derp"), DerpNodeDial.url(node("derp.example.com", null, 0, true, false)));
    }

    @Test
    void anIpLiteralIsDialledAndTlsChecksTheHostName() {
        DerpNode tls = node("derp.example.com", "192.0.2.1", 0, false, false);
        assertEquals("192.0.2.1", DerpNodeDial.url(tls).getHost());
        assertEquals(Optional.of(new CertName("derp.example.com")), DerpNodeDial.certName(tls, DerpNodeDial.url(tls)));
        assertEquals("192.0.2.1", DerpNodeDial.url(node("derp.example.com", "192.0.2.1", 0, true, false)).getHost());
        assertEquals("derp.example.com", DerpNodeDial.url(node("derp.example.com", "none", 0, true, false)).getHost());
        DerpNode insecure = node("", "192.0.2.1", 0, false, true);
        assertEquals("192.0.2.1", DerpNodeDial.url(insecure).getHost());
        assertEquals(Optional.empty(), DerpNodeDial.certName(insecure, DerpNodeDial.url(insecure)));
        DerpNode byName = node("derp.example.com", null, 0, false, false);
        assertEquals(Optional.empty(), DerpNodeDial.certName(byName, DerpNodeDial.url(byName)));
    }

    @Test
    void certNameIsVerifiedOrPinnedAndAMalformedOneSkipsTheNode() {
        assertNull(DerpNodeDial.url(DerpNode.stunOnly("1stun0", 1, "stun.example.com", 3478)));
        String pin = "sha256-raw:" + "ab".repeat(32);
        List<DerpClientOptions> opts = DerpNodeDial.forRegion(DerpRegion.of(false, 1, "r", "R", List.of(
                node("derp.example.com", null, 0, false, false).withCertName("sha256-raw:00"),
                node("derp.example.com", null, 0, false, false).withCertName("relay.example.net"),
                node("derp.example.com", null, 0, false, false).withCertName(pin))), NodePrivateKey.generate(), false);
        assertEquals(List.of(Optional.of(new CertName("relay.example.net")), Optional.of(new CertName(pin))),
                opts.stream().map(DerpClientOptions::certName).toList());
        assertTrue(opts.get(1).certName().orElseThrow().pin().isPresent());
    }

    @Test
    void regionNodesKeepTheirOrderAndCarryTransportChoices() {
        DerpRegion region = DerpRegion.of(false, 1, "r", "R", List.of(DerpNode.stunOnly("1s", 1, "s", 3478),
                node("a.example.com", null, 0, false, true), node("b.example.com", null, 0, false, false)));
        List<DerpClientOptions> opts = DerpNodeDial.forRegion(region, NodePrivateKey.generate(), true);
        assertEquals(List.of("a.example.com", "b.example.com"), opts.stream().map(o -> o.url().getHost()).toList());
        assertTrue(opts.getFirst().trustAll());
        assertFalse(opts.get(1).trustAll());
        assertTrue(opts.stream().allMatch(DerpClientOptions::webSocket));
    }
}
