package dev.switchboard.tailnet.magicsock;

import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.derpmap.DerpNode;
import dev.switchboard.derpmap.DerpRegion;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

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
    void anIpLiteralReplacesDnsOnlyWhereNoCertificateIsChecked() {
        assertEquals("derp.example.com", DerpNodeDial.url(node("derp.example.com", "192.0.2.1", 0, false, false)).getHost());
        assertEquals("192.0.2.1", DerpNodeDial.url(node("derp.example.com", "192.0.2.1", 0, true, false)).getHost());
        assertEquals("derp.example.com", DerpNodeDial.url(node("derp.example.com", "none", 0, true, false)).getHost());
        assertEquals("192.0.2.1", DerpNodeDial.url(node("", "192.0.2.1", 0, false, true)).getHost());
    }

    @Test
    void stunOnlyAndUnverifiableCertNamesAreSkipped() {
        assertNull(DerpNodeDial.url(DerpNode.stunOnly("1stun0", 1, "stun.example.com", 3478)));
        assertNull(DerpNodeDial.url(node("derp.example.com", null, 0, false, false).withCertName("sha256-raw:00")));
        assertTrue(DerpNodeDial.url(node("derp.example.com", null, 0, false, false).withCertName("derp.example.com")) != null);
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
