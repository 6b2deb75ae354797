package dev.switchboard.tailnet.ip;

/**
 * Answers ICMPv6 Echo Requests (RFC 4443 §4.1, type 128) with Echo Replies (RFC 4443 §4.2,
 * type 129) carrying the same identifier, sequence number and data. The reply swaps source and
 * destination; requests sent to a multicast address are not answered in place, since a reply's
 * source must be a unicast address of the responder (RFC 4443 §2.2).
 */
public final class Icmpv6Echo {
    public static final int ECHO_REQUEST = 128;
    public static final int ECHO_REPLY = 129;
    /** ICMPv6 type, code, checksum, identifier, sequence number. */
    public static final int ECHO_HEADER_LENGTH = 8;
    /** Hop limit of replies; 64 as Linux's default unicast hop limit. */
    public static final int REPLY_HOP_LIMIT = 64;

    public enum Outcome {
        REPLIED,
        NOT_IPV6,
        NOT_ICMPV6,
        NOT_ECHO_REQUEST,
        TRUNCATED,
        BAD_CHECKSUM,
        MULTICAST_DESTINATION,
        BUFFER_TOO_SMALL
    }

    private Icmpv6Echo() {
    }

    /** Rewrites {@code request} into its Echo Reply in its own buffer. */
    public static Outcome replyInPlace(IpPacket request) {
        Outcome check = check(request);
        if (check != Outcome.REPLIED) {
            return check;
        }
        byte[] b = request.bytes();
        int ip = request.offset();
        int icmp = request.payloadOffset();
        for (int i = 0; i < 16; i++) {
            byte t = b[ip + 8 + i];
            b[ip + 8 + i] = b[ip + 24 + i];
            b[ip + 24 + i] = t;
        }
        b[ip + 7] = (byte) REPLY_HOP_LIMIT;
        // Swapping the addresses leaves the pseudo-header sum unchanged; only the type word
        // (type << 8 | code) changes, so patch the checksum per RFC 1624.
        int oldWord = IpPacket.u16(b, icmp);
        b[icmp] = (byte) ECHO_REPLY;
        int newWord = IpPacket.u16(b, icmp);
        IpPacket.putU16(b, icmp + 2, InternetChecksum.update(IpPacket.u16(b, icmp + 2), oldWord, newWord));
        return Outcome.REPLIED;
    }

    /**
     * Writes the Echo Reply for {@code request} into {@code out} at {@code outOffset}, leaving the
     * request untouched. The reply has the same length as the request, {@link IpPacket#length()}.
     */
    public static Outcome replyInto(IpPacket request, byte[] out, int outOffset) {
        Outcome check = check(request);
        if (check != Outcome.REPLIED) {
            return check;
        }
        if (outOffset < 0 || out.length - outOffset < request.length()) {
            return Outcome.BUFFER_TOO_SMALL;
        }
        System.arraycopy(request.bytes(), request.offset(), out, outOffset, request.length());
        IpPacket.Parsed copy = IpPacket.parse(out, outOffset, request.length());
        return replyInPlace(((IpPacket.Parsed.Accepted) copy).packet());
    }

    private static Outcome check(IpPacket p) {
        if (p.version() != 6) {
            return Outcome.NOT_IPV6;
        }
        if (p.protocol() != IpPacket.PROTOCOL_ICMPV6) {
            return Outcome.NOT_ICMPV6;
        }
        if (p.payloadLength() < ECHO_HEADER_LENGTH) {
            return Outcome.TRUNCATED;
        }
        byte[] b = p.bytes();
        if ((b[p.payloadOffset()] & 0xff) != ECHO_REQUEST || b[p.payloadOffset() + 1] != 0) {
            return Outcome.NOT_ECHO_REQUEST;
        }
        if (!p.pseudoHeader().add(b, p.payloadOffset(), p.payloadLength()).verifies()) {
            return Outcome.BAD_CHECKSUM;
        }
        if ((b[p.destinationOffset()] & 0xff) == 0xff) {
            return Outcome.MULTICAST_DESTINATION;
        }
        return Outcome.REPLIED;
    }
}
