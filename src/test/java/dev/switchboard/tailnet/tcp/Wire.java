package dev.switchboard.tailnet.tcp;

import dev.switchboard.tailnet.ip.IpPacket;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Two {@link TcpConnection}s back to back over an in-memory IPv6 link with a fake clock. Every
 * segment is framed as a real packet (IPv6 header, {@link TcpSegment#writeHeader}, checksum) and
 * parsed again by {@link TcpSegment#wrap} on delivery, so the codec is on the path. The link can
 * drop, duplicate and reorder at random from a seed, or drop what a scripted filter selects.
 */
final class Wire {
    static final byte[] ADDRESS_A = address(0xa);
    static final byte[] ADDRESS_B = address(0xb);
    static final int PORT_A = 40000;
    static final int PORT_B = 443;

    /** A decoded segment as sent, for assertions. */
    record Sent(boolean fromA, int flags, int seq, int ack, int window, int length, TcpOptions options) {
        boolean has(int flag) {
            return (flags & flag) != 0;
        }
    }

    private record Packet(boolean toB, byte[] bytes) {
    }

    long now;
    final TcpConnection a;
    final TcpConnection b;
    final List<Sent> sent = new ArrayList<>();
    private final List<Packet> inFlight = new ArrayList<>();
    private final TcpSegment view = new TcpSegment();
    private Random random = new Random(0);
    private double loss;
    private double duplicate;
    private double reorder;
    /** Scripted loss: a segment the predicate accepts is dropped (and the predicate may count). */
    Predicate<Sent> drop = s -> false;

    Wire(TcpConfig configA, TcpConfig configB) {
        a = new TcpConnection(configA, () -> now, sink(true), 0x1000_0000);
        b = new TcpConnection(configB, () -> now, sink(false), 0xfffff000); // wraps soon
    }

    Wire() {
        this(TcpConfig.defaults(), TcpConfig.defaults());
    }

    Wire impair(long seed, double lossRate, double duplicateRate, double reorderRate) {
        random = new Random(seed);
        loss = lossRate;
        duplicate = duplicateRate;
        reorder = reorderRate;
        return this;
    }

    private SegmentSink sink(boolean fromA) {
        return (seq, ack, flags, window, options, data, offset, length) -> {
            byte[] exact = frame(fromA, seq, ack, flags, window, options, data, offset, length);
            TcpOptions copy = new TcpOptions();
            if (options != null) {
                byte[] o = new byte[TcpOptions.MAX_LENGTH];
                copy.parse(o, 0, options.write(o, 0));
            }
            Sent s = new Sent(fromA, flags, seq, ack, window, length, copy);
            sent.add(s);
            if (drop.test(s) || random.nextDouble() < loss) {
                return;
            }
            enqueue(new Packet(fromA, exact));
            if (random.nextDouble() < duplicate) {
                enqueue(new Packet(fromA, exact.clone()));
            }
        };
    }

    /** Frames one segment as an IPv6 packet with a correct checksum. */
    static byte[] frame(boolean fromA, int seq, int ack, int flags, int window, TcpOptions options,
                        byte[] data, int offset, int length) {
        byte[] packet = new byte[IpPacket.IPV6_HEADER_LENGTH + TcpSegment.MAX_HEADER_LENGTH + length];
        int tcp = IpPacket.IPV6_HEADER_LENGTH;
        int header = TcpSegment.writeHeader(packet, tcp, fromA ? PORT_A : PORT_B, fromA ? PORT_B : PORT_A,
                seq, ack, flags, window, options);
        System.arraycopy(data, offset, packet, tcp + header, length);
        int total = tcp + header + length;
        IpPacket.writeIpv6Header(packet, 0, header + length, IpPacket.PROTOCOL_TCP, 64,
                fromA ? ADDRESS_A : ADDRESS_B, fromA ? ADDRESS_B : ADDRESS_A);
        byte[] exact = java.util.Arrays.copyOf(packet, total);
        TcpSegment.writeChecksum(((IpPacket.Parsed.Accepted) IpPacket.parse(exact, 0, total)).packet());
        return exact;
    }

    /** Delivers a hand-made segment to B (toB) or A, as if its peer had sent it. */
    void inject(boolean toB, int seq, int ack, int flags) {
        inject(toB, seq, ack, flags, new byte[0]);
    }

    void inject(boolean toB, int seq, int ack, int flags, byte[] payload) {
        inject(toB, seq, ack, flags, payload, null);
    }

    void inject(boolean toB, int seq, int ack, int flags, byte[] payload, TcpOptions options) {
        byte[] p = frame(!toB, seq, ack, flags, 1000, options, payload, 0, payload.length);
        IpPacket ip = ((IpPacket.Parsed.Accepted) IpPacket.parse(p, 0, p.length)).packet();
        if (view.wrap(ip) != null) {
            throw new AssertionError("bad injected segment");
        }
        (toB ? b : a).onSegment(view);
    }

    private void enqueue(Packet p) {
        if (!inFlight.isEmpty() && random.nextDouble() < reorder) {
            inFlight.add(random.nextInt(inFlight.size()), p);
        } else {
            inFlight.add(p);
        }
    }

    /** Delivers one queued packet; false when none is queued. */
    boolean deliverOne() {
        if (inFlight.isEmpty()) {
            return false;
        }
        Packet p = inFlight.remove(0);
        IpPacket ip = ((IpPacket.Parsed.Accepted) IpPacket.parse(p.bytes(), 0, p.bytes().length)).packet();
        TcpReject reject = view.wrap(ip);
        if (reject != null) {
            throw new AssertionError("wire carried a bad segment: " + reject);
        }
        (p.toB() ? b : a).onSegment(view);
        return true;
    }

    /** Delivers until the link is empty, without letting time pass. */
    void deliverAll() {
        int guard = 0;
        while (deliverOne()) {
            if (++guard > 1_000_000) {
                throw new AssertionError("packet storm");
            }
        }
    }

    /** Advances the clock to the next timer, fires it, and delivers; false if no timer is armed. */
    boolean fireNextTimer() {
        long next = Math.min(a.nextDeadlineNanos(), b.nextDeadlineNanos());
        if (next == Long.MAX_VALUE) {
            return false;
        }
        now = Math.max(now, next);
        a.onTimer();
        b.onTimer();
        deliverAll();
        return true;
    }

    int queued() {
        return inFlight.size();
    }

    List<Sent> sentBy(boolean fromA) {
        return sent.stream().filter(s -> s.fromA() == fromA).toList();
    }

    private static byte[] address(int last) {
        byte[] b = new byte[16];
        b[0] = (byte) 0xfd;
        b[1] = 0x7a;
        b[15] = (byte) last;
        return b;
    }
}
