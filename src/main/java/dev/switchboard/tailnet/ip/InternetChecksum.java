package dev.switchboard.tailnet.ip;

/**
 * The Internet checksum of RFC 1071: the 16-bit one's complement of the one's complement sum of
 * all 16-bit words. Accumulates incrementally (RFC 1071 §2 (B), (C)), so a pseudo-header, a
 * header and a payload held in different buffers can be summed in turn; an odd byte left by one
 * call pairs with the first byte of the next. {@link #update} patches a stored checksum after one
 * 16-bit word changed, as in RFC 1624 eqn. 3.
 */
public final class InternetChecksum {
    private long sum;
    private boolean odd;

    /** Adds {@code length} bytes, big-endian 16-bit words, continuing any odd byte left over. */
    public InternetChecksum add(byte[] bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        if (odd && i < end) {
            sum += bytes[i++] & 0xff;
            odd = false;
        }
        long s = sum;
        for (; i + 1 < end; i += 2) {
            s += ((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff);
        }
        if (i < end) {
            s += (bytes[i] & 0xff) << 8;
            odd = true;
        }
        sum = s;
        return this;
    }

    /** Adds one 16-bit word; only valid on an even byte boundary. */
    public InternetChecksum addUnsigned16(int word) {
        if (odd) {
            throw new IllegalStateException("word added after an odd number of bytes");
        }
        sum += word & 0xffff;
        return this;
    }

    /** Adds one 32-bit value as two 16-bit words. */
    public InternetChecksum addUnsigned32(long value) {
        return addUnsigned16((int) (value >>> 16)).addUnsigned16((int) value);
    }

    /**
     * The IPv6 pseudo-header of RFC 8200 §8.1: source, destination, 32-bit upper-layer packet
     * length, three zero bytes and the next header value.
     */
    public InternetChecksum addIpv6PseudoHeader(byte[] src, int srcOffset, byte[] dst, int dstOffset,
                                                long upperLayerLength, int nextHeader) {
        add(src, srcOffset, 16);
        add(dst, dstOffset, 16);
        addUnsigned32(upperLayerLength);
        return addUnsigned16(nextHeader & 0xff);
    }

    /** The IPv4 pseudo-header of RFC 9293 §3.1: source, destination, zero, protocol, TCP length. */
    public InternetChecksum addIpv4PseudoHeader(byte[] src, int srcOffset, byte[] dst, int dstOffset,
                                                int protocol, int upperLayerLength) {
        add(src, srcOffset, 4);
        add(dst, dstOffset, 4);
        addUnsigned16(protocol & 0xff);
        return addUnsigned16(upperLayerLength);
    }

    /** The folded one's complement sum, before complementing (RFC 1071 §2 (C)). */
    public int foldedSum() {
        long s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    /** The checksum value to place in a header: the complement of the folded sum. */
    public int checksum() {
        return ~foldedSum() & 0xffff;
    }

    /**
     * True when the summed bytes include a correct checksum field: the folded sum of data plus its
     * checksum is all ones (RFC 1071 §1 (3)).
     */
    public boolean verifies() {
        return foldedSum() == 0xffff;
    }

    /** One-shot checksum of a byte range. */
    public static int compute(byte[] bytes, int offset, int length) {
        return new InternetChecksum().add(bytes, offset, length).checksum();
    }

    /**
     * RFC 1624 eqn. 3: {@code HC' = ~(~HC + ~m + m')}, the checksum after 16-bit word {@code m}
     * became {@code m'}, without re-summing the packet.
     */
    public static int update(int checksum, int oldWord, int newWord) {
        long s = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return ~(int) s & 0xffff;
    }
}
