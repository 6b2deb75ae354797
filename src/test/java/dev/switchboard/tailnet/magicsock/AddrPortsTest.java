package dev.switchboard.tailnet.magicsock;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.*;

class AddrPortsTest {
    static InetSocketAddress ap(String text) {
        return AddrPorts.parse(text).orElseThrow(() -> new AssertionError("unparsable " + text));
    }

    @Test
    void parsesLiteralsOnly() {
        assertEquals(41641, ap("203.0.113.7:41641").getPort());
        assertEquals("[::1]:5", AddrPorts.format(ap("[::1]:5")));
        assertEquals("[fd00::2]:41641", AddrPorts.format(ap("[fd00:0:0:0:0:0:0:2]:41641")));
        assertEquals("203.0.113.7:41641", AddrPorts.format(ap("203.0.113.7:41641")));
        for (String bad : new String[] {"example.com:1", "cafe:1", "1.2.3.4", "1.2.3.4:", ":1", "1.2.3.4:65536",
                "1.2.3.4:-1", "[fe80::1%eth0]:1", "::1:5", "[1.2.3.4]:5", "999.1.1.1:1"}) {
            assertTrue(AddrPorts.parse(bad).isEmpty(), bad);
        }
    }

    @Test
    void unmapsV4MappedV6() throws Exception {
        var mapped = AddrPorts.of(InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 10, 0, 0, 1}), 7);
        assertEquals(ap("10.0.0.1:7"), mapped);
        assertFalse(AddrPorts.is6(mapped));
        assertEquals(ap("[::ffff:10.0.0.1]:7"), mapped);
    }

    @Test
    void predicatesMatchGoNetip() {
        assertTrue(AddrPorts.isPrivate(ap("10.1.2.3:1")));
        assertTrue(AddrPorts.isPrivate(ap("172.31.0.1:1")));
        assertFalse(AddrPorts.isPrivate(ap("172.32.0.1:1")));
        assertTrue(AddrPorts.isPrivate(ap("192.168.0.1:1")));
        assertTrue(AddrPorts.isPrivate(ap("[fd7a:115c:a1e0::1]:1")));
        assertFalse(AddrPorts.isPrivate(ap("[fec0::1]:1")), "site-local is not Go's IsPrivate");
        assertFalse(AddrPorts.isPrivate(ap("8.8.8.8:1")));
        assertTrue(AddrPorts.isLoopback(ap("127.0.0.2:1")));
        assertTrue(AddrPorts.isLoopback(ap("[::1]:1")));
        assertTrue(AddrPorts.is6(ap("[2001:db8::1]:1")));
        assertTrue(AddrPorts.isLinkLocal6(ap("[fe80::1]:1")));
        assertFalse(AddrPorts.isLinkLocal6(ap("169.254.0.1:1")));
    }
}
