package dev.switchboard.tailnet.wireguard;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class KeypairTest {
    private static final long NOW = 10 * WireGuardConstants.SECOND;

    static Keypair[] pair() {
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        Arrays.fill(a, (byte) 0x11);
        Arrays.fill(b, (byte) 0x22);
        return new Keypair[] {new Keypair(a, b, true, 7, 9, NOW), new Keypair(b, a, false, 9, 7, NOW)};
    }

    @Test
    void padding() {
        assertEquals(0, Keypair.paddedLength(0, 1280));
        assertEquals(16, Keypair.paddedLength(1, 1280));
        assertEquals(112, Keypair.paddedLength(104, 1280));
        assertEquals(1280, Keypair.paddedLength(1279, 1280));
        assertEquals(1275, Keypair.paddedLength(1275, 1275), "never past the MTU");
    }

    @Test
    void sealOpenInPlaceWithPadding() {
        Keypair[] kp = pair();
        byte[] buf = new byte[16 + 112 + 16];
        for (int i = 0; i < 104; i++) {
            buf[16 + i] = (byte) i;
        }
        int n = kp[0].seal(buf, 0, 104, 1280, NOW);
        assertEquals(144, n, "ICMPv6 echo with 56 data bytes: 104 → 112 padded → 144 on the wire");
        assertEquals(9, Messages.receiverIndex(buf, 0, MessageType.TRANSPORT));
        assertEquals(0, Messages.getU64(buf, 8));
        assertEquals(112, kp[1].open(buf, 0, n, NOW));
        for (int i = 0; i < 104; i++) {
            assertEquals((byte) i, buf[16 + i]);
        }
        for (int i = 104; i < 112; i++) {
            assertEquals(0, buf[16 + i]);
        }
        assertEquals(1, kp[0].sendCounter());
    }

    @Test
    void tamperedReplayedAndExpired() {
        Keypair[] kp = pair();
        byte[] buf = new byte[64];
        int n = kp[0].seal(buf, 0, 0, 1280, NOW);
        byte[] copy = buf.clone();
        buf[20] ^= 1;
        assertEquals(Keypair.OPEN_DECRYPT_FAILED, kp[1].open(buf, 0, n, NOW));
        System.arraycopy(copy, 0, buf, 0, 64);
        assertEquals(0, kp[1].open(buf, 0, n, NOW), "a failed tag did not mark the counter");
        System.arraycopy(copy, 0, buf, 0, 64);
        assertEquals(Keypair.OPEN_REPLAYED, kp[1].open(buf, 0, n, NOW));
        assertEquals(Keypair.OPEN_EXPIRED, kp[1].open(buf, 0, n, NOW + WireGuardConstants.REJECT_AFTER_TIME));
        assertEquals(Keypair.SEAL_EXHAUSTED, kp[0].seal(buf, 0, 0, 1280, NOW + WireGuardConstants.REJECT_AFTER_TIME));
    }

    /** The data path allocates nothing: 20,000 seal+open pairs of 1200 bytes after warm-up. */
    @Test
    void transportSealAndOpenAllocateNothing() {
        Keypair[] kp = pair();
        byte[] buf = new byte[16 + 1280 + 16];
        for (int i = 0; i < 20_000; i++) {
            int n = kp[0].seal(buf, 0, 1200, 1280, NOW);
            assertEquals(1200, kp[1].open(buf, 0, n, NOW));
        }
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long before = bean.getThreadAllocatedBytes(tid);
        int rounds = 20_000;
        for (int i = 0; i < rounds; i++) {
            int n = kp[0].seal(buf, 0, 1200, 1280, NOW);
            kp[1].open(buf, 0, n, NOW);
        }
        long total = bean.getThreadAllocatedBytes(tid) - before;
        System.out.println("transport seal+open: " + total + " bytes allocated over " + rounds + " pairs");
        assertTrue(total < 4096, "allocated " + total + " B over " + rounds + " seal+open pairs");
    }
}
