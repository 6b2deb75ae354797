package dev.switchboard.http;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AcceptRatePerIpTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void aSourceGetsItsBurstThenTheRate() throws Exception {
        AcceptRatePerIp rate = new AcceptRatePerIp(2, 3, 16, now::get);
        InetAddress a = InetAddress.getByName("192.0.2.1");
        for (int i = 0; i < 3; i++) {
            assertTrue(rate.admit(a), "burst connection " + i);
        }
        assertFalse(rate.admit(a), "the burst is spent");
        now.addAndGet(499_000_000L);
        assertFalse(rate.admit(a), "2/s: not a whole token after 499 ms");
        now.addAndGet(2_000_000L);
        assertTrue(rate.admit(a), "one token after 500 ms");
        assertFalse(rate.admit(a));
        now.addAndGet(60_000_000_000L);
        for (int i = 0; i < 3; i++) {
            assertTrue(rate.admit(a), "refilled to the burst, not beyond: " + i);
        }
        assertFalse(rate.admit(a));
    }

    @Test
    void sourcesHaveTheirOwnBucketsAndBurstZeroMeansOneSecond() throws Exception {
        AcceptRatePerIp rate = new AcceptRatePerIp(2, 0, 16, now::get);
        InetAddress a = InetAddress.getByName("192.0.2.1");
        InetAddress b = InetAddress.getByName("192.0.2.2");
        assertTrue(rate.admit(a));
        assertTrue(rate.admit(a));
        assertFalse(rate.admit(a));
        assertTrue(rate.admit(b), "another address is not charged for a");
    }

    @Test
    void anIpv6SourceIsItsSlash64() throws Exception {
        AcceptRatePerIp rate = new AcceptRatePerIp(1, 1, 16, now::get);
        assertTrue(rate.admit(InetAddress.getByName("2001:db8:1:2::1")));
        assertFalse(rate.admit(InetAddress.getByName("2001:db8:1:2:ffff::9")), "same /64, other interface id");
        assertTrue(rate.admit(InetAddress.getByName("2001:db8:1:3::1")), "the next /64");
    }

    @Test
    void memoryIsBoundedAndTheLeastRecentlySeenIsForgotten() throws Exception {
        AcceptRatePerIp rate = new AcceptRatePerIp(1, 1, 4, now::get);
        InetAddress first = InetAddress.getByName("198.51.100.1");
        assertTrue(rate.admit(first));
        assertFalse(rate.admit(first));
        for (int i = 2; i <= 100; i++) {
            rate.admit(InetAddress.getByName("198.51.100." + i));
        }
        assertEquals(4, rate.tracked());
        assertTrue(rate.admit(first), "forgotten, so a full bucket again");
    }
}
