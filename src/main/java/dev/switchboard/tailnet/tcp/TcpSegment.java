package dev.switchboard.tailnet.tcp;

import dev.switchboard.tailnet.ip.InternetChecksum;
import dev.switchboard.tailnet.ip.IpPacket;

/**
 * A reusable view over one TCP segment (RFC 9293 §3.1) inside an IP packet's bytes. {@link #wrap}
 * validates the header, the options and the checksum over the IPv6 or IPv4 pseudo-header and
 * never throws on attacker-controlled bytes: a malformed segment yields a {@link TcpReject}.
 * One instance is owned by the event loop that parses inbound packets and re-pointed at each
 * segment, so the data path allocates nothing; accessors read straight from the bytes.
 */
public final class TcpSegment {
    public static final int HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    // all owned by the event loop that re-points this view
    private byte[] bytes;
    private int offset;
    private int length;
    private int headerLength;
    private final TcpOptions options = new TcpOptions();

    /** Points this view at the TCP payload of {@code packet}; null when valid, else why not. */
    public TcpReject wrap(IpPacket packet) {
        if (packet.protocol() != IpPacket.PROTOCOL_TCP) {
            return TcpReject.NOT_TCP;
        }
        return wrap(packet.bytes(), packet.payloadOffset(), packet.payloadLength(), packet.pseudoHeader());
    }

    /**
     * Points this view at {@code length} segment bytes at {@code offset}; {@code pseudoHeader} is
     * an accumulator already holding the pseudo-header sum (RFC 9293 §3.1, RFC 8200 §8.1).
     */
    public TcpReject wrap(byte[] b, int off, int len, InternetChecksum pseudoHeader) {
        bytes = null;
        if (len < HEADER_LENGTH) {
            return TcpReject.TRUNCATED;
        }
        int dataOffset = ((b[off + 12] & 0xff) >>> 4) * 4;
        if (dataOffset < HEADER_LENGTH || dataOffset > len) {
            return TcpReject.BAD_DATA_OFFSET;
        }
        if (!pseudoHeader.add(b, off, len).verifies()) {
            return TcpReject.BAD_CHECKSUM;
        }
        if (TcpOptions.u16(b, off) == 0 || TcpOptions.u16(b, off + 2) == 0) {
            return TcpReject.ZERO_PORT;
        }
        TcpReject optionReject = options.parse(b, off + HEADER_LENGTH, dataOffset - HEADER_LENGTH);
        if (optionReject != null) {
            return optionReject;
        }
        bytes = b;
        offset = off;
        length = len;
        headerLength = dataOffset;
        return null;
    }

    public int sourcePort() {
        return TcpOptions.u16(bytes, offset);
    }

    public int destinationPort() {
        return TcpOptions.u16(bytes, offset + 2);
    }

    /** SEG.SEQ. */
    public int seq() {
        return TcpOptions.u32(bytes, offset + 4);
    }

    /** SEG.ACK, meaningful only when {@link #ACK} is set. */
    public int ack() {
        return TcpOptions.u32(bytes, offset + 8);
    }

    /** Data Offset in bytes: the header with its options. */
    public int headerLength() {
        return headerLength;
    }

    /** The eight control bits CWR ECE URG ACK PSH RST SYN FIN (RFC 9293 §3.1, RFC 3168). */
    public int flags() {
        return bytes[offset + 13] & 0xff;
    }

    public boolean has(int flag) {
        return (flags() & flag) != 0;
    }

    /** SEG.WND as sent, before any window-scale shift (RFC 7323 §2.3). */
    public int window() {
        return TcpOptions.u16(bytes, offset + 14);
    }

    public int checksum() {
        return TcpOptions.u16(bytes, offset + 16);
    }

    public int urgentPointer() {
        return TcpOptions.u16(bytes, offset + 18);
    }

    public TcpOptions options() {
        return options;
    }

    public byte[] bytes() {
        return bytes;
    }

    public int payloadOffset() {
        return offset + headerLength;
    }

    public int payloadLength() {
        return length - headerLength;
    }

    /** SEG.LEN of RFC 9293 §3.4: the data plus one each for SYN and FIN. */
    public int segmentLength() {
        return payloadLength() + (has(SYN) ? 1 : 0) + (has(FIN) ? 1 : 0);
    }

    /**
     * Writes a header with {@code options} at {@code off}, checksum zero; returns its length.
     * The payload, if any, goes right after it; then {@link #writeChecksum} seals the segment.
     */
    public static int writeHeader(byte[] out, int off, int sourcePort, int destinationPort, int seq, int ack,
                                  int flags, int window, TcpOptions options) {
        TcpOptions.putU16(out, off, sourcePort);
        TcpOptions.putU16(out, off + 2, destinationPort);
        TcpOptions.putU32(out, off + 4, seq);
        TcpOptions.putU32(out, off + 8, ack);
        int optionLength = options == null ? 0 : options.write(out, off + HEADER_LENGTH);
        int headerLength = HEADER_LENGTH + optionLength;
        out[off + 12] = (byte) ((headerLength / 4) << 4);
        out[off + 13] = (byte) flags;
        TcpOptions.putU16(out, off + 14, window);
        TcpOptions.putU16(out, off + 16, 0);
        TcpOptions.putU16(out, off + 18, 0);
        return headerLength;
    }

    /**
     * Fills the checksum of the {@code length}-byte segment at {@code off} whose checksum field is
     * zero; {@code pseudoHeader} holds the pseudo-header sum for that length.
     */
    public static void writeChecksum(byte[] out, int off, int length, InternetChecksum pseudoHeader) {
        TcpOptions.putU16(out, off + 16, pseudoHeader.add(out, off, length).checksum());
    }

    /** Seals the TCP payload of an IP packet whose header is already written. */
    public static void writeChecksum(IpPacket packet) {
        writeChecksum(packet.bytes(), packet.payloadOffset(), packet.payloadLength(), packet.pseudoHeader());
    }
}
