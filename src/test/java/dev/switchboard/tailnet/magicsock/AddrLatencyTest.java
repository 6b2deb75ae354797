package dev.switchboard.tailnet.magicsock;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.switchboard.tailnet.magicsock.AddrLatency.betterAddr;
import static org.junit.jupiter.api.Assertions.*;

/** The fork's points rule ({@code endpoint.go betterAddr}), case by case. */
class AddrLatencyTest {
    private static AddrLatency al(String addr, long millis) {
        return new AddrLatency(AddrPortsTest.ap(addr), millis * 1_000_000);
    }

    @Test
    void anyAddressBeatsNoneAndNeverItself() {
        assertTrue(betterAddr(al("203.0.113.1:1", 500), null));
        assertFalse(betterAddr(al("203.0.113.1:1", 1), al("203.0.113.1:1", 500)), "same address, any latency");
    }

    @Test
    void lowerLatencyWinsOnlyByMoreThanOnePercent() {
        assertTrue(betterAddr(al("203.0.113.1:1", 190), al("198.51.100.1:1", 200)), "5 points");
        assertTrue(betterAddr(al("203.0.113.1:1", 197), al("198.51.100.1:1", 200)), "2 points");
        assertFalse(betterAddr(al("203.0.113.1:1", 198), al("198.51.100.1:1", 200)), "19800/200 = 99 → 1 point");
        assertFalse(betterAddr(al("203.0.113.1:1", 199), al("198.51.100.1:1", 200)), "truncation, 1 point");
        assertFalse(betterAddr(al("203.0.113.1:1", 200), al("198.51.100.1:1", 100)), "slower loses");
        assertFalse(betterAddr(al("203.0.113.1:1", 0), al("198.51.100.1:1", 0)), "no measurement, no bonus");
    }

    @Test
    void privateBeatsPublicUnlessThePublicIsMoreThanTwentyPercentFaster() {
        assertTrue(betterAddr(al("192.168.1.5:1", 10), al("203.0.113.1:1", 10)));
        assertFalse(betterAddr(al("203.0.113.1:1", 85), al("10.0.0.5:1", 100)), "15 < 20");
        assertFalse(betterAddr(al("203.0.113.1:1", 80), al("10.0.0.5:1", 100)), "20 = 20 is not more");
        assertTrue(betterAddr(al("203.0.113.1:1", 75), al("10.0.0.5:1", 100)), "25 > 20");
    }

    @Test
    void ipv6GetsTenPointsAndLoopbackFifty() {
        assertTrue(betterAddr(al("[2001:db8::1]:1", 100), al("203.0.113.1:1", 100)));
        assertFalse(betterAddr(al("203.0.113.1:1", 100), al("[2001:db8::1]:1", 100)));
        assertTrue(betterAddr(al("203.0.113.1:1", 91), al("[2001:db8::1]:1", 102)), "11 points > 10");
        assertTrue(betterAddr(al("127.0.0.1:1", 6), al("[fd00::1]:1", 5)), "50 > 17 + 20 + 10");
        assertFalse(betterAddr(al("127.0.0.1:1", 10), al("[fd00::1]:1", 5)), "50 < 50 + 20 + 10");
        assertTrue(betterAddr(al("[fd00::1]:1", 10), al("192.168.0.1:1", 10)), "private v6 30 > private v4 20");
    }

    @Test
    void txIdsCompareByContent() {
        TxId a = TxId.random(new Random(1));
        assertEquals(a, TxId.of(a.toBytes()));
        assertNotEquals(a, TxId.random(new Random(2)));
        assertThrows(IllegalArgumentException.class, () -> TxId.of(new byte[11]));
    }
}
