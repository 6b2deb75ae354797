package dev.switchboard.tailnet.ip;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A validated, read-mostly view over one IPv6 (RFC 8200 §3) or IPv4 (RFC 791 §3.1) packet held in
 * a byte array. {@link #parse} never throws on attacker-controlled bytes: malformed input yields a
 * {@link Parsed.Rejected} with an {@link IpReject}. IPv6 extension headers are not walked here;
 * {@link #protocol()} is the first Next Header value.
 */
public final class IpPacket {
    /** RFC 8200 §5: the minimum IPv6 link MTU, and the MTU of the tailnet's tunnel interface. */
    public static final int MTU = 1280;
    public static final int IPV6_HEADER_LENGTH = 40;
    public static final int IPV4_MIN_HEADER_LENGTH = 20;
    /** IANA protocol numbers. */
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_ICMPV6 = 58;

    /** Outcome of {@link #parse}. */
    public sealed interface Parsed {
        record Accepted(IpPacket packet) implements Parsed {
        }

        record Rejected(IpReject reason) implements Parsed {
        }
    }

    private final byte[] bytes;
    private final int offset;
    private final int length;
    private final int version;
    private final int headerLength;

    private IpPacket(byte[] bytes, int offset, int length, int version, int headerLength) {
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
        this.version = version;
        this.headerLength = headerLength;
    }

    /** Parses the remaining bytes of a buffer; a direct buffer's bytes are copied once. */
    public static Parsed parse(ByteBuffer buffer) {
        if (buffer.hasArray()) {
            return parse(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
        }
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return parse(copy, 0, copy.length);
    }

    /**
     * Validates {@code length} bytes at {@code offset}. Bytes beyond the declared packet length
     * (link padding) are ignored; the view covers exactly the declared length.
     */
    public static Parsed parse(byte[] bytes, int offset, int length) {
        if (length < 1) {
            return new Parsed.Rejected(IpReject.TRUNCATED);
        }
        int version = (bytes[offset] & 0xff) >>> 4;
        if (version == 6) {
            if (length < IPV6_HEADER_LENGTH) {
                return new Parsed.Rejected(IpReject.TRUNCATED);
            }
            int payloadLength = u16(bytes, offset + 4);
            if (IPV6_HEADER_LENGTH + payloadLength > length) {
                return new Parsed.Rejected(IpReject.LENGTH_MISMATCH);
            }
            return new Parsed.Accepted(
                    new IpPacket(bytes, offset, IPV6_HEADER_LENGTH + payloadLength, 6, IPV6_HEADER_LENGTH));
        }
        if (version == 4) {
            if (length < IPV4_MIN_HEADER_LENGTH) {
                return new Parsed.Rejected(IpReject.TRUNCATED);
            }
            int ihl = (bytes[offset] & 0x0f) * 4;
            int totalLength = u16(bytes, offset + 2);
            if (ihl < IPV4_MIN_HEADER_LENGTH || ihl > totalLength) {
                return new Parsed.Rejected(IpReject.BAD_HEADER_LENGTH);
            }
            if (totalLength > length) {
                return new Parsed.Rejected(IpReject.LENGTH_MISMATCH);
            }
            if (!new InternetChecksum().add(bytes, offset, ihl).verifies()) {
                return new Parsed.Rejected(IpReject.BAD_HEADER_CHECKSUM);
            }
            int flagsFragment = u16(bytes, offset + 6);
            if ((flagsFragment & 0x3fff) != 0) { // MF bit or a fragment offset
                return new Parsed.Rejected(IpReject.FRAGMENT);
            }
            return new Parsed.Accepted(new IpPacket(bytes, offset, totalLength, 4, ihl));
        }
        return new Parsed.Rejected(IpReject.BAD_VERSION);
    }

    public int version() {
        return version;
    }

    public byte[] bytes() {
        return bytes;
    }

    public int offset() {
        return offset;
    }

    /** Whole packet length as declared: 40 + Payload Length (IPv6) or Total Length (IPv4). */
    public int length() {
        return length;
    }

    public int headerLength() {
        return headerLength;
    }

    public int payloadOffset() {
        return offset + headerLength;
    }

    public int payloadLength() {
        return length - headerLength;
    }

    /** IPv6 Next Header or IPv4 Protocol. */
    public int protocol() {
        return bytes[offset + (version == 6 ? 6 : 9)] & 0xff;
    }

    /** IPv6 Hop Limit or IPv4 Time to Live. */
    public int hopLimit() {
        return bytes[offset + (version == 6 ? 7 : 8)] & 0xff;
    }

    public int addressLength() {
        return version == 6 ? 16 : 4;
    }

    public int sourceOffset() {
        return offset + (version == 6 ? 8 : 12);
    }

    public int destinationOffset() {
        return sourceOffset() + addressLength();
    }

    public byte[] source() {
        return Arrays.copyOfRange(bytes, sourceOffset(), sourceOffset() + addressLength());
    }

    public byte[] destination() {
        return Arrays.copyOfRange(bytes, destinationOffset(), destinationOffset() + addressLength());
    }

    /** A checksum accumulator preloaded with this packet's pseudo-header for its payload. */
    public InternetChecksum pseudoHeader() {
        InternetChecksum sum = new InternetChecksum();
        if (version == 6) {
            return sum.addIpv6PseudoHeader(bytes, sourceOffset(), bytes, destinationOffset(), payloadLength(), protocol());
        }
        return sum.addIpv4PseudoHeader(bytes, sourceOffset(), bytes, destinationOffset(), protocol(), payloadLength());
    }

    /** Writes a 40-byte IPv6 header (RFC 8200 §3), traffic class and flow label zero. */
    public static void writeIpv6Header(byte[] out, int offset, int payloadLength, int nextHeader, int hopLimit,
                                       byte[] src, byte[] dst) {
        out[offset] = 0x60;
        out[offset + 1] = 0;
        out[offset + 2] = 0;
        out[offset + 3] = 0;
        putU16(out, offset + 4, payloadLength);
        out[offset + 6] = (byte) nextHeader;
        out[offset + 7] = (byte) hopLimit;
        System.arraycopy(src, 0, out, offset + 8, 16);
        System.arraycopy(dst, 0, out, offset + 24, 16);
    }

    /** Writes a 20-byte IPv4 header (RFC 791 §3.1) with DF set and a correct header checksum. */
    public static void writeIpv4Header(byte[] out, int offset, int payloadLength, int protocol, int ttl,
                                       int identification, byte[] src, byte[] dst) {
        out[offset] = 0x45;
        out[offset + 1] = 0;
        putU16(out, offset + 2, IPV4_MIN_HEADER_LENGTH + payloadLength);
        putU16(out, offset + 4, identification);
        putU16(out, offset + 6, 0x4000);
        out[offset + 8] = (byte) ttl;
        out[offset + 9] = (byte) protocol;
        putU16(out, offset + 10, 0);
        System.arraycopy(src, 0, out, offset + 12, 4);
        System.arraycopy(dst, 0, out, offset + 16, 4);
        putU16(out, offset + 10, InternetChecksum.compute(out, offset, IPV4_MIN_HEADER_LENGTH));
    }

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    static void putU16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }
}
