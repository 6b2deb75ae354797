package dev.switchboard.tailnet.magicsock;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class DerpMagicAddressTest {
    @Test
    void formatsAndParsesTheTailcfgText() {
        var a = new DerpMagicAddress(999);
        assertEquals("127.3.3.40:999", a.toString());
        assertEquals(Optional.of(a), DerpMagicAddress.parse("127.3.3.40:999"));
        assertEquals(Optional.of(a), DerpMagicAddress.of(a.toSocketAddress()));
        assertTrue(DerpMagicAddress.isDerp(a.toSocketAddress()));
    }

    @Test
    void realAddressesAndRegionZeroAreNotDerp() {
        assertTrue(DerpMagicAddress.parse("127.3.3.41:1").isEmpty());
        assertTrue(DerpMagicAddress.parse("127.3.3.40:0").isEmpty());
        assertTrue(DerpMagicAddress.ofPreferredDerp(0).isEmpty(), "Coder ignores preferred_derp = 0");
        assertFalse(DerpMagicAddress.isDerp(AddrPortsTest.ap("10.0.0.1:1")));
        assertFalse(DerpMagicAddress.isDerp(InetSocketAddress.createUnresolved("127.3.3.40", 1)));
        assertThrows(IllegalArgumentException.class, () -> new DerpMagicAddress(0));
        assertThrows(IllegalArgumentException.class, () -> new DerpMagicAddress(65536));
    }
}
