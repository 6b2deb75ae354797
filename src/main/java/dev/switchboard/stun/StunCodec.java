package dev.switchboard.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The STUN Binding subset Tailscale and Coder clients use (RFC 8489; tailscale/tailscale net/stun/stun.go): request
 * validation, response building, and the client side (request building, response parsing). Pure functions.
 */
public final class StunCodec {
    public static final int HEADER_LEN = 20;
    public static final int TRANSACTION_ID_LEN = 12;
    public static final int MAGIC_COOKIE = 0x2112a442;
    public static final int BINDING_REQUEST = 0x0001;
    public static final int BINDING_SUCCESS = 0x0101;
    static final int FINGERPRINT_XOR = 0x5354554e;
    private static final byte[] TAILSCALE_SOFTWARE = "tailnode".getBytes(StandardCharsets.US_ASCII);
    /** {@code tailnode} as one big-endian long: the SOFTWARE value compared in one read. */
    private static final long TAILNODE = Unpooled.wrappedBuffer(TAILSCALE_SOFTWARE).getLong(0);
    /** Largest response we ever send: header, IPv6 XOR-MAPPED-ADDRESS, FINGERPRINT. */
    public static final int MAX_RESPONSE_LEN = HEADER_LEN + 4 + 20 + 8;

    private StunCodec() {
    }

    /** Why a datagram is or is not answered; {@link #label()} is the metric label. */
    public enum Disposition {
        SUCCESS("success"),
        /** Not a STUN message, or not a Binding request. */
        NOT_STUN("not_stun"),
        /** A Binding request that breaks the framing rules: truncated, length mismatch, bad fingerprint. */
        BAD("bad");

        private final String label;

        Disposition(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * A validated Binding request.
     *
     * @param tailscale   the first attribute is SOFTWARE {@code tailnode} (answered exactly as derper does)
     * @param fingerprint the request carried a valid FINGERPRINT
     */
    public record BindingRequest(byte[] transactionId, boolean tailscale, boolean fingerprint) {
    }

    /** Outcome of validating a datagram: a disposition and, on success, the request. */
    public record Validation(Disposition disposition, BindingRequest request, String reason) {
        static Validation drop(Disposition disposition, String reason) {
            return new Validation(disposition, null, reason);
        }
    }

    /** Tailscale's {@code Is}: long enough, top two bits zero, magic cookie in place. */
    public static boolean is(Buffer packet) {
        return is(packet.getByteBuf(), 0, packet.length());
    }

    private static boolean is(ByteBuf packet, int at, int length) {
        return length >= HEADER_LEN && (packet.getUnsignedByte(at) & 0xc0) == 0 && packet.getInt(at + 4) == MAGIC_COOKIE;
    }

    /**
     * What becomes of a datagram: dropped (with the reason) or answered, and how. The responder's hot path uses
     * these constants instead of allocating a result per datagram.
     */
    public enum Verdict {
        NOT_A_STUN_MESSAGE(Disposition.NOT_STUN, "not a STUN message"),
        NOT_A_BINDING_REQUEST(Disposition.NOT_STUN, "not a Binding request"),
        LENGTH_MISMATCH(Disposition.BAD, "length field does not match the attribute bytes"),
        ATTRIBUTE_AFTER_FINGERPRINT(Disposition.BAD, "attribute after FINGERPRINT"),
        TRUNCATED_ATTRIBUTE_HEADER(Disposition.BAD, "truncated attribute header"),
        ATTRIBUTE_OVERRUNS_PACKET(Disposition.BAD, "attribute overruns the packet"),
        WRONG_FINGERPRINT(Disposition.BAD, "wrong FINGERPRINT"),
        /** SOFTWARE {@code tailnode} first: answered exactly as derper does, without FINGERPRINT. */
        TAILSCALE(Disposition.SUCCESS, null),
        /** Any other Binding request without FINGERPRINT. */
        GENERIC(Disposition.SUCCESS, null),
        /** Any other Binding request with a valid FINGERPRINT: the answer carries one too (RFC 8489 §7.3). */
        GENERIC_WITH_FINGERPRINT(Disposition.SUCCESS, null);

        private final Disposition disposition;
        private final String reason;

        Verdict(Disposition disposition, String reason) {
            this.disposition = disposition;
            this.reason = reason;
        }

        public Disposition disposition() {
            return disposition;
        }

        /** Why it is dropped; null when answered. */
        public String reason() {
            return reason;
        }

        public boolean answered() {
            return disposition == Disposition.SUCCESS;
        }
    }

    /** Validates a Binding request under RFC 8489 framing rules (stricter than derper on lengths). */
    public static Validation validate(Buffer packet) {
        Verdict verdict = verdict(packet.getByteBuf(), new Fingerprinter());
        if (!verdict.answered()) {
            return Validation.drop(verdict.disposition(), verdict.reason());
        }
        byte[] transactionId = packet.getBytes(8, HEADER_LEN);
        return new Validation(Disposition.SUCCESS, new BindingRequest(transactionId, verdict == Verdict.TAILSCALE,
                verdict != Verdict.GENERIC), null);
    }

    /**
     * The verdict on the readable bytes of {@code packet}, read in place. Cheapest checks first: most junk fails on
     * the first 8 bytes, and the CRC-32 runs only once the framing is right.
     */
    static Verdict verdict(ByteBuf packet, Fingerprinter fingerprinter) {
        int at = packet.readerIndex();
        int length = packet.readableBytes();
        if (!is(packet, at, length)) {
            return Verdict.NOT_A_STUN_MESSAGE;
        }
        if (packet.getUnsignedShort(at) != BINDING_REQUEST) {
            return Verdict.NOT_A_BINDING_REQUEST;
        }
        int declared = packet.getUnsignedShort(at + 2);
        if (declared != length - HEADER_LEN || declared % 4 != 0) {
            return Verdict.LENGTH_MISMATCH;
        }
        boolean tailscale = false;
        boolean fingerprint = false;
        int offset = HEADER_LEN;
        while (offset < length) {
            if (fingerprint) {
                return Verdict.ATTRIBUTE_AFTER_FINGERPRINT;
            }
            if (length - offset < 4) {
                return Verdict.TRUNCATED_ATTRIBUTE_HEADER;
            }
            int type = packet.getUnsignedShort(at + offset);
            int valueLength = packet.getUnsignedShort(at + offset + 2);
            int valueStart = offset + 4;
            int next = valueStart + padded(valueLength);
            if (next > length) {
                return Verdict.ATTRIBUTE_OVERRUNS_PACKET;
            }
            if (type == StunAttribute.SOFTWARE && offset == HEADER_LEN) {
                tailscale = valueLength == TAILSCALE_SOFTWARE.length && packet.getLong(at + valueStart) == TAILNODE;
            } else if (type == StunAttribute.FINGERPRINT) {
                if (valueLength != 4 || packet.getInt(at + valueStart) != fingerprinter.of(packet, at, offset)) {
                    return Verdict.WRONG_FINGERPRINT;
                }
                fingerprint = true;
            }
            offset = next;
        }
        return tailscale ? Verdict.TAILSCALE : fingerprint ? Verdict.GENERIC_WITH_FINGERPRINT : Verdict.GENERIC;
    }

    /**
     * A Binding success response with XOR-MAPPED-ADDRESS. IPv4 addresses (including IPv4-mapped IPv6 ones from a
     * dual-stack socket) use family 1 with 4 bytes, which every client version parses.
     */
    public static Buffer response(byte[] transactionId, InetAddress address, int port, boolean withFingerprint) {
        ByteBuf out = Unpooled.buffer(MAX_RESPONSE_LEN);
        ByteBuf request = Unpooled.buffer(HEADER_LEN).writerIndex(8).writeBytes(transactionId);
        writeResponse(request, address.getAddress(), port, withFingerprint, out, new Fingerprinter());
        return Buffer.buffer(out);
    }

    /** The size of {@link #writeResponse}'s answer to a client at {@code ip} ({@link InetAddress#getAddress()}). */
    static int responseLength(byte[] ip, boolean withFingerprint) {
        return HEADER_LEN + 8 + (isIpv4(ip) ? 4 : 16) + (withFingerprint ? 8 : 0);
    }

    /**
     * Appends the response to {@code request} (a Binding request at its reader index; only its transaction ID is
     * read) for a client at {@code ip} ({@link InetAddress#getAddress()}, possibly IPv4-mapped) to {@code out}, in
     * place: nothing is allocated.
     */
    static void writeResponse(ByteBuf request, byte[] ip, int port, boolean withFingerprint, ByteBuf out,
                              Fingerprinter fingerprinter) {
        int start = out.writerIndex();
        int transactionId = request.readerIndex() + 8;
        boolean ipv4 = isIpv4(ip);
        int attributesLength = 4 + 4 + (ipv4 ? 4 : 16) + (withFingerprint ? 8 : 0);
        out.writeShort(BINDING_SUCCESS).writeShort(attributesLength).writeInt(MAGIC_COOKIE)
                .writeBytes(request, transactionId, TRANSACTION_ID_LEN)
                .writeShort(StunAttribute.XOR_MAPPED_ADDRESS).writeShort(ipv4 ? 8 : 20)
                .writeByte(0).writeByte(ipv4 ? 1 : 2).writeShort(port ^ (MAGIC_COOKIE >>> 16));
        if (ipv4) {
            // RFC 8489 §14.2: X-Address is the address XOR the magic cookie. An IPv4-mapped address keeps its last 4.
            out.writeInt(int32(ip, ip.length - 4) ^ MAGIC_COOKIE);
        } else {
            // IPv6: XOR with magic cookie ‖ transaction ID.
            out.writeInt(int32(ip, 0) ^ MAGIC_COOKIE);
            for (int i = 0; i < TRANSACTION_ID_LEN; i += 4) {
                out.writeInt(int32(ip, 4 + i) ^ request.getInt(transactionId + i));
            }
        }
        if (withFingerprint) {
            int at = out.writerIndex();
            out.writeShort(StunAttribute.FINGERPRINT).writeShort(4).writeInt(fingerprinter.of(out, start, at - start));
        }
    }

    private static int int32(byte[] bytes, int at) {
        return (bytes[at] & 0xff) << 24 | (bytes[at + 1] & 0xff) << 16 | (bytes[at + 2] & 0xff) << 8 | bytes[at + 3] & 0xff;
    }

    /** The 40-byte request Tailscale clients send: SOFTWARE {@code tailnode} first, FINGERPRINT last. */
    public static Buffer tailscaleRequest(byte[] transactionId) {
        Buffer out = Buffer.buffer(40)
                .appendUnsignedShort(BINDING_REQUEST)
                .appendUnsignedShort(20)
                .appendInt(MAGIC_COOKIE)
                .appendBytes(transactionId)
                .appendUnsignedShort(StunAttribute.SOFTWARE)
                .appendUnsignedShort(TAILSCALE_SOFTWARE.length)
                .appendBytes(TAILSCALE_SOFTWARE);
        int at = out.length();
        return out.appendUnsignedShort(StunAttribute.FINGERPRINT).appendUnsignedShort(4)
                .appendInt(new Fingerprinter().of(out.getByteBuf(), 0, at));
    }

    /** A parsed Binding success response: the transaction ID and the mapped address it reports. */
    public record BindingResponse(byte[] transactionId, InetSocketAddress mapped) {
    }

    /**
     * Parses a Binding success response as Tailscale clients do: bytes beyond the header length are ignored,
     * XOR-MAPPED-ADDRESS (either code point) wins over MAPPED-ADDRESS, IPv4-mapped addresses are unmapped.
     *
     * @return the response, or null if the packet is not a usable Binding success
     */
    public static BindingResponse parseResponse(Buffer packet) {
        if (!is(packet) || packet.getUnsignedShort(0) != BINDING_SUCCESS) {
            return null;
        }
        int end = HEADER_LEN + packet.getUnsignedShort(2);
        if (end > packet.length()) {
            return null;
        }
        byte[] transactionId = packet.getBytes(8, HEADER_LEN);
        InetSocketAddress xorMapped = null;
        InetSocketAddress mapped = null;
        for (int offset = HEADER_LEN; offset + 4 <= end; ) {
            int type = packet.getUnsignedShort(offset);
            int length = packet.getUnsignedShort(offset + 2);
            if (offset + 4 + length > end) {
                return null;
            }
            Buffer value = packet.getBuffer(offset + 4, offset + 4 + length);
            if (type == StunAttribute.XOR_MAPPED_ADDRESS || type == StunAttribute.XOR_MAPPED_ADDRESS_ALT) {
                xorMapped = address(value, transactionId, true);
            } else if (type == StunAttribute.MAPPED_ADDRESS) {
                mapped = address(value, transactionId, false);
            }
            offset += 4 + padded(length);
        }
        InetSocketAddress result = xorMapped != null ? xorMapped : mapped;
        return result == null ? null : new BindingResponse(transactionId, result);
    }

    private static InetSocketAddress address(Buffer value, byte[] transactionId, boolean xored) {
        if (value.length() < 4) {
            return null;
        }
        int family = value.getUnsignedByte(1);
        int ipLength = family == 1 ? 4 : family == 2 ? 16 : -1;
        if (ipLength < 0 || value.length() < 4 + ipLength) {
            return null;
        }
        int port = value.getUnsignedShort(2);
        byte[] ip = value.getBytes(4, 4 + ipLength);
        if (xored) {
            port ^= MAGIC_COOKIE >>> 16;
            for (int i = 0; i < ip.length; i++) {
                ip[i] ^= xorMask(transactionId, i);
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(unmapped(ip)), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) becomes its 4 IPv4 bytes; anything else is unchanged. */
    static byte[] unmapped(byte[] ip) {
        return ip.length == 16 && isIpv4(ip) ? Arrays.copyOfRange(ip, 12, 16) : ip;
    }

    /** 4 bytes, or 16 of the IPv4-mapped form {@code ::ffff:a.b.c.d} (RFC 4291 §2.5.5.2) a dual-stack socket reports. */
    static boolean isIpv4(byte[] ip) {
        if (ip.length == 4) {
            return true;
        }
        for (int i = 0; i < 10; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return ip[10] == (byte) 0xff && ip[11] == (byte) 0xff;
    }

    /** Byte {@code i} of magic cookie ‖ transaction ID, the XOR-MAPPED-ADDRESS mask. */
    private static byte xorMask(byte[] transactionId, int i) {
        return i < 4 ? (byte) (MAGIC_COOKIE >>> (24 - 8 * i)) : transactionId[i - 4];
    }

    private static int padded(int length) {
        return (length + 3) & ~3;
    }
}
