package dev.switchboard.tailnet.tcp;

import dev.switchboard.tailnet.ip.IpPacket;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Two {@link TcpStack}s wired back to back through an in-memory link on a virtual clock: what one
 * sends, the other receives by destination address; {@link #run} delivers packets and advances the
 * clock to the next requested wake-up. Packets to neither stack are kept in {@link #stray}.
 */
final class StackLink {
    static final byte[] A6 = address6(0xa);
    static final byte[] B6 = address6(0xb);
    static final byte[] A4 = {100, 64, 0, 10};
    static final byte[] B4 = {100, 64, 0, 11};

    private final class Clock implements TcpScheduler {
        long wake = Long.MAX_VALUE;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void wakeAt(long deadlineNanos) {
            wake = deadlineNanos;
        }
    }

    long now = 1_000_000_000L;
    final TcpStack a;
    final TcpStack b;
    final List<byte[]> stray = new ArrayList<>();
    private final Clock clockA = new Clock();
    private final Clock clockB = new Clock();
    private final ArrayDeque<byte[]> inFlight = new ArrayDeque<>();

    StackLink(TcpStackConfig config) {
        a = new TcpStack(A6, A4, config, this::send, clockA, new SplittableRandom(1));
        b = new TcpStack(B6, B4, config, this::send, clockB, new SplittableRandom(2));
    }

    private void send(byte[] packet, int offset, int length) {
        inFlight.add(Arrays.copyOfRange(packet, offset, offset + length));
    }

    /** Delivers and fires timers until nothing is left or {@code maxNanos} of virtual time passed. */
    void run(long maxNanos) {
        long end = now + maxNanos;
        for (int guard = 0; guard < 10_000_000; guard++) {
            byte[] p = inFlight.poll();
            if (p != null) {
                deliver(p);
                continue;
            }
            long next = Math.min(clockA.wake, clockB.wake);
            if (next == Long.MAX_VALUE || next > end) {
                return;
            }
            now = Math.max(now, next);
            if (clockA.wake <= now) {
                clockA.wake = Long.MAX_VALUE;
                a.onTimer();
            }
            if (clockB.wake <= now) {
                clockB.wake = Long.MAX_VALUE;
                b.onTimer();
            }
        }
        throw new AssertionError("packet storm");
    }

    private void deliver(byte[] p) {
        IpPacket ip = ((IpPacket.Parsed.Accepted) IpPacket.parse(p, 0, p.length)).packet();
        byte[] dst = ip.destination();
        if (Arrays.equals(dst, A6) || Arrays.equals(dst, A4)) {
            a.onPacket(p, 0, p.length);
        } else if (Arrays.equals(dst, B6) || Arrays.equals(dst, B4)) {
            b.onPacket(p, 0, p.length);
        } else {
            stray.add(p);
        }
    }

    /** Takes the packets in flight without delivering them. */
    List<byte[]> drain() {
        List<byte[]> all = new ArrayList<>(inFlight);
        inFlight.clear();
        return all;
    }

    /** A hand-made IPv6 TCP segment with a correct checksum. */
    static byte[] segment(byte[] src, byte[] dst, int srcPort, int dstPort, int seq, int ack, int flags) {
        byte[] packet = new byte[IpPacket.IPV6_HEADER_LENGTH + TcpSegment.HEADER_LENGTH];
        TcpSegment.writeHeader(packet, IpPacket.IPV6_HEADER_LENGTH, srcPort, dstPort, seq, ack, flags, 1000, null);
        IpPacket.writeIpv6Header(packet, 0, TcpSegment.HEADER_LENGTH, IpPacket.PROTOCOL_TCP, 64, src, dst);
        TcpSegment.writeChecksum(((IpPacket.Parsed.Accepted) IpPacket.parse(packet, 0, packet.length)).packet());
        return packet;
    }

    /** The TCP flags of a packet this link carried. */
    static int flags(byte[] p) {
        IpPacket ip = ((IpPacket.Parsed.Accepted) IpPacket.parse(p, 0, p.length)).packet();
        return p[ip.payloadOffset() + 13] & 0xff;
    }

    static byte[] address6(int last) {
        byte[] b = new byte[16];
        b[0] = (byte) 0xfd;
        b[1] = 0x7a;
        b[15] = (byte) last;
        return b;
    }
}
