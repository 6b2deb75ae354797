package dev.switchboard.stun;

import io.vertx.core.buffer.Buffer;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

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
        return packet.length() >= HEADER_LEN && (packet.getUnsignedByte(0) & 0xc0) == 0
                && packet.getInt(4) == MAGIC_COOKIE;
    }

    /** Validates a Binding request under RFC 8489 framing rules (stricter than derper on lengths). */
    public static Validation validate(Buffer packet) {
        if (!is(packet)) {
            return Validation.drop(Disposition.NOT_STUN, "not a STUN message");
        }
        if (packet.getUnsignedShort(0) != BINDING_REQUEST) {
            return Validation.drop(Disposition.NOT_STUN, "not a Binding request");
        }
        int declared = packet.getUnsignedShort(2);
        if (declared != packet.length() - HEADER_LEN || declared % 4 != 0) {
            return Validation.drop(Disposition.BAD, "length field " + declared + " for "
                    + (packet.length() - HEADER_LEN) + " attribute bytes");
        }
        boolean tailscale = false;
        boolean fingerprint = false;
        int offset = HEADER_LEN;
        while (offset < packet.length()) {
            if (fingerprint) {
                return Validation.drop(Disposition.BAD, "attribute after FINGERPRINT");
            }
            if (packet.length() - offset < 4) {
                return Validation.drop(Disposition.BAD, "truncated attribute header");
            }
            int type = packet.getUnsignedShort(offset);
            int length = packet.getUnsignedShort(offset + 2);
            int valueStart = offset + 4;
            int next = valueStart + padded(length);
            if (next > packet.length()) {
                return Validation.drop(Disposition.BAD, "attribute overruns the packet");
            }
            if (type == StunAttribute.SOFTWARE && offset == HEADER_LEN) {
                tailscale = length == TAILSCALE_SOFTWARE.length && regionEquals(packet, valueStart, TAILSCALE_SOFTWARE);
            } else if (type == StunAttribute.FINGERPRINT) {
                if (length != 4 || packet.getInt(valueStart) != fingerprint(packet, offset)) {
                    return Validation.drop(Disposition.BAD, "wrong FINGERPRINT");
                }
                fingerprint = true;
            }
            offset = next;
        }
        byte[] transactionId = packet.getBytes(8, HEADER_LEN);
        return new Validation(Disposition.SUCCESS, new BindingRequest(transactionId, tailscale, fingerprint), null);
    }

    /**
     * A Binding success response with XOR-MAPPED-ADDRESS. IPv4 addresses (including IPv4-mapped IPv6 ones from a
     * dual-stack socket) use family 1 with 4 bytes, which every client version parses.
     */
    public static Buffer response(byte[] transactionId, InetAddress address, int port, boolean withFingerprint) {
        byte[] ip = unmapped(address.getAddress());
        int attributesLength = 4 + 4 + ip.length + (withFingerprint ? 8 : 0);
        Buffer out = Buffer.buffer(HEADER_LEN + attributesLength)
                .appendUnsignedShort(BINDING_SUCCESS)
                .appendUnsignedShort(attributesLength)
                .appendInt(MAGIC_COOKIE)
                .appendBytes(transactionId)
                .appendUnsignedShort(StunAttribute.XOR_MAPPED_ADDRESS)
                .appendUnsignedShort(4 + ip.length)
                .appendByte((byte) 0)
                .appendByte((byte) (ip.length == 4 ? 1 : 2))
                .appendUnsignedShort(port ^ (MAGIC_COOKIE >>> 16));
        for (int i = 0; i < ip.length; i++) {
            out.appendByte((byte) (ip[i] ^ xorMask(transactionId, i)));
        }
        if (withFingerprint) {
            int at = out.length();
            out.appendUnsignedShort(StunAttribute.FINGERPRINT).appendUnsignedShort(4).appendInt(fingerprint(out, at));
        }
        return out;
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
        return out.appendUnsignedShort(StunAttribute.FINGERPRINT).appendUnsignedShort(4).appendInt(fingerprint(out, at));
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
        if (ip.length == 16) {
            for (int i = 0; i < 10; i++) {
                if (ip[i] != 0) {
                    return ip;
                }
            }
            if (ip[10] == (byte) 0xff && ip[11] == (byte) 0xff) {
                return Arrays.copyOfRange(ip, 12, 16);
            }
        }
        return ip;
    }

    /** FINGERPRINT value for an attribute starting at {@code attributeOffset}: CRC-32 of what precedes it. */
    private static int fingerprint(Buffer message, int attributeOffset) {
        CRC32 crc = new CRC32();
        crc.update(message.getByteBuf().nioBuffer(0, attributeOffset));
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }

    /** Byte {@code i} of magic cookie ‖ transaction ID, the XOR-MAPPED-ADDRESS mask. */
    private static byte xorMask(byte[] transactionId, int i) {
        return i < 4 ? (byte) (MAGIC_COOKIE >>> (24 - 8 * i)) : transactionId[i - 4];
    }

    private static boolean regionEquals(Buffer packet, int offset, byte[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if (packet.getByte(offset + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static int padded(int length) {
        return (length + 3) & ~3;
    }

    /** Whether {@code address} is IPv4 once unmapped (the metric family). */
    public static boolean isIpv4(InetAddress address) {
        return address instanceof Inet4Address || unmapped(address.getAddress()).length == 4;
    }
}
