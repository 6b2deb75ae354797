package dev.switchboard.tailnet.engine;

import dev.switchboard.tailnet.ip.Icmpv6Echo;
import dev.switchboard.tailnet.ip.InternetChecksum;
import dev.switchboard.tailnet.ip.IpPacket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * ICMPv6 echo over the tunnel (RFC 4443 §4.1/§4.2): writes Echo Requests and matches Echo Replies by identifier
 * and sequence number, timing each and noting the path the reply came by. Coder's {@code coder ping} uses a
 * TSMP/disco ping instead; an ICMP echo exercises the whole tunnel (handshake, sealing, the peer's stack).
 *
 * <p>Owned by the engine's event loop.
 */
final class EchoPinger {
    private record Outstanding(Promise<PingResult> promise, long sentAt, byte[] peer, long timer) {
    }

    private final Vertx vertx;
    private final int identifier;
    // Owned by the event loop.
    private final Map<Integer, Outstanding> outstanding = new HashMap<>();
    private int nextSequence;

    EchoPinger(Vertx vertx, int identifier) {
        this.vertx = vertx;
        this.identifier = identifier & 0xffff;
    }

    /**
     * Writes an Echo Request from {@code src} to {@code dst} carrying {@code data} at {@code buf[offset..]}, registers
     * it, and returns its IP length; {@code result} completes with the reply or fails after {@code timeout}.
     */
    int write(byte[] buf, int offset, byte[] src, byte[] dst, byte[] data, Duration timeout,
              Promise<PingResult> result) {
        int seq = nextSequence++ & 0xffff;
        int icmpLength = Icmpv6Echo.ECHO_HEADER_LENGTH + data.length;
        IpPacket.writeIpv6Header(buf, offset, icmpLength, IpPacket.PROTOCOL_ICMPV6, Icmpv6Echo.REPLY_HOP_LIMIT, src,
                dst);
        int icmp = offset + IpPacket.IPV6_HEADER_LENGTH;
        buf[icmp] = (byte) Icmpv6Echo.ECHO_REQUEST;
        buf[icmp + 1] = 0;
        buf[icmp + 2] = 0;
        buf[icmp + 3] = 0;
        putU16(buf, icmp + 4, identifier);
        putU16(buf, icmp + 6, seq);
        System.arraycopy(data, 0, buf, icmp + Icmpv6Echo.ECHO_HEADER_LENGTH, data.length);
        int checksum = new InternetChecksum().addIpv6PseudoHeader(src, 0, dst, 0, icmpLength, IpPacket.PROTOCOL_ICMPV6)
                .add(buf, icmp, icmpLength).checksum();
        putU16(buf, icmp + 2, checksum);
        Outstanding previous = outstanding.remove(seq);
        if (previous != null) {
            vertx.cancelTimer(previous.timer());
            previous.promise().tryFail(new TimeoutException("sequence number reused"));
        }
        long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> {
            Outstanding o = outstanding.remove(seq);
            if (o != null) {
                o.promise().tryFail(new TimeoutException("no echo reply within " + timeout));
            }
        });
        outstanding.put(seq, new Outstanding(result, System.nanoTime(), dst.clone(), timer));
        return IpPacket.IPV6_HEADER_LENGTH + icmpLength;
    }

    /** Whether {@code packet} was the reply to one of ours (then it is consumed). */
    boolean onPacket(IpPacket packet, InetSocketAddress via) {
        if (packet.version() != 6 || packet.protocol() != IpPacket.PROTOCOL_ICMPV6
                || packet.payloadLength() < Icmpv6Echo.ECHO_HEADER_LENGTH) {
            return false;
        }
        byte[] b = packet.bytes();
        int icmp = packet.payloadOffset();
        if ((b[icmp] & 0xff) != Icmpv6Echo.ECHO_REPLY || u16(b, icmp + 4) != identifier
                || !packet.pseudoHeader().add(b, icmp, packet.payloadLength()).verifies()) {
            return false;
        }
        Outstanding o = outstanding.get(u16(b, icmp + 6));
        if (o == null || !Arrays.equals(b, packet.sourceOffset(), packet.sourceOffset() + 16, o.peer(), 0, 16)) {
            return false;
        }
        outstanding.remove(u16(b, icmp + 6));
        vertx.cancelTimer(o.timer());
        o.promise().tryComplete(new PingResult(Duration.ofNanos(System.nanoTime() - o.sentAt()), via));
        return true;
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | b[i + 1] & 0xff;
    }

    private static void putU16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }
}
