package dev.switchboard.tailnet.wireguard;

import dev.switchboard.tailnet.ip.Icmpv6Echo;
import dev.switchboard.tailnet.ip.InternetChecksum;
import dev.switchboard.tailnet.ip.IpPacket;

/** Test helper: builds ICMPv6 echo requests (RFC 4443 §4.1) the way ping does. */
final class EchoPackets {
    private EchoPackets() {
    }

    /** Writes a 40 + 8 + dataLength byte echo request at {@code out[offset..]} and returns its length. */
    static int request(byte[] out, int offset, byte[] src, byte[] dst, int id, int seq, int dataLength) {
        int icmpLength = Icmpv6Echo.ECHO_HEADER_LENGTH + dataLength;
        IpPacket.writeIpv6Header(out, offset, icmpLength, IpPacket.PROTOCOL_ICMPV6, 64, src, dst);
        int icmp = offset + IpPacket.IPV6_HEADER_LENGTH;
        out[icmp] = (byte) Icmpv6Echo.ECHO_REQUEST;
        out[icmp + 1] = 0;
        out[icmp + 2] = 0;
        out[icmp + 3] = 0;
        out[icmp + 4] = (byte) (id >>> 8);
        out[icmp + 5] = (byte) id;
        out[icmp + 6] = (byte) (seq >>> 8);
        out[icmp + 7] = (byte) seq;
        for (int i = 0; i < dataLength; i++) {
            out[icmp + 8 + i] = (byte) i;
        }
        int sum = new InternetChecksum()
                .addIpv6PseudoHeader(out, offset + 8, out, offset + 24, icmpLength, IpPacket.PROTOCOL_ICMPV6)
                .add(out, icmp, icmpLength).checksum();
        out[icmp + 2] = (byte) (sum >>> 8);
        out[icmp + 3] = (byte) sum;
        return IpPacket.IPV6_HEADER_LENGTH + icmpLength;
    }
}
