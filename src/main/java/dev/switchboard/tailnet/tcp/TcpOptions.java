package dev.switchboard.tailnet.tcp;

/**
 * The TCP options this stack understands (RFC 9293 §3.2): Maximum Segment Size, Window Scale and
 * Timestamps (RFC 7323 §2, §3), SACK-Permitted and SACK (RFC 2018 §2, §3), with NOP and EOL.
 * Unknown kinds are skipped by their length byte, as RFC 9293 §3.2 requires. A mutable holder
 * reused for every segment, so parsing allocates nothing; owned by whoever owns the
 * {@link TcpSegment} view (an event loop) or, for outbound options, by the connection.
 */
public final class TcpOptions {
    public static final int KIND_EOL = 0;
    public static final int KIND_NOP = 1;
    public static final int KIND_MSS = 2;
    public static final int KIND_WINDOW_SCALE = 3;
    public static final int KIND_SACK_PERMITTED = 4;
    public static final int KIND_SACK = 5;
    public static final int KIND_TIMESTAMPS = 8;
    /** Data Offset is 4 bits of 32-bit words: at most 60 header bytes, 40 of options. */
    public static final int MAX_LENGTH = 40;
    /** RFC 7323 §2.3: a shift above 14 is treated as 14. */
    public static final int MAX_WINDOW_SCALE = 14;
    /** RFC 2018 §3: 40 option bytes hold at most 4 SACK blocks, 3 alongside timestamps. */
    public static final int MAX_SACK_BLOCKS = 4;

    private int mss = -1;
    private int windowScale = -1;
    private boolean sackPermitted;
    private boolean timestamps;
    private int tsVal;
    private int tsEcr;
    private int sackBlockCount;
    private final int[] sackBlocks = new int[2 * MAX_SACK_BLOCKS];

    /** Forgets every option, as for a segment that carries none. */
    public TcpOptions clear() {
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        timestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackBlockCount = 0;
        return this;
    }

    /**
     * Parses {@code length} option bytes at {@code offset}, replacing what this holder had.
     * Returns null when they are well formed, otherwise why the segment is to be dropped.
     */
    public TcpReject parse(byte[] b, int offset, int length) {
        clear();
        int i = offset;
        int end = offset + length;
        while (i < end) {
            int kind = b[i] & 0xff;
            if (kind == KIND_EOL) {
                return null; // RFC 9293 §3.2: the rest of the header is padding
            }
            if (kind == KIND_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return TcpReject.BAD_OPTION_LENGTH;
            }
            int len = b[i + 1] & 0xff;
            if (len < 2 || i + len > end) {
                return TcpReject.BAD_OPTION_LENGTH;
            }
            switch (kind) {
                case KIND_MSS -> {
                    if (len != 4) {
                        return TcpReject.BAD_OPTION_SIZE;
                    }
                    mss = u16(b, i + 2);
                }
                case KIND_WINDOW_SCALE -> {
                    if (len != 3) {
                        return TcpReject.BAD_OPTION_SIZE;
                    }
                    windowScale = Math.min(b[i + 2] & 0xff, MAX_WINDOW_SCALE);
                }
                case KIND_SACK_PERMITTED -> {
                    if (len != 2) {
                        return TcpReject.BAD_OPTION_SIZE;
                    }
                    sackPermitted = true;
                }
                case KIND_SACK -> {
                    int n = (len - 2) / 8;
                    if ((len - 2) % 8 != 0 || n < 1 || n > MAX_SACK_BLOCKS) {
                        return TcpReject.BAD_OPTION_SIZE;
                    }
                    for (int k = 0; k < 2 * n; k++) {
                        sackBlocks[k] = u32(b, i + 2 + 4 * k);
                    }
                    sackBlockCount = n;
                }
                case KIND_TIMESTAMPS -> {
                    if (len != 10) {
                        return TcpReject.BAD_OPTION_SIZE;
                    }
                    timestamps = true;
                    tsVal = u32(b, i + 2);
                    tsEcr = u32(b, i + 6);
                }
                default -> {
                    // unknown kind: skipped by its length (RFC 9293 §3.2)
                }
            }
            i += len;
        }
        return null;
    }

    /**
     * Writes the options at {@code offset} in Linux's SYN layout (MSS; SACK-Permitted sharing a
     * word with Timestamps; NOP-padded Window Scale), then NOP-padded SACK blocks, padded to a
     * 32-bit boundary. SACK blocks that do not fit are left out, oldest last (RFC 2018 §4).
     * Returns the number of bytes written, a multiple of 4 and at most {@link #MAX_LENGTH}.
     */
    public int write(byte[] out, int offset) {
        int i = offset;
        if (mss >= 0) {
            out[i++] = KIND_MSS;
            out[i++] = 4;
            putU16(out, i, mss);
            i += 2;
        }
        if (timestamps) {
            if (sackPermitted) {
                out[i++] = KIND_SACK_PERMITTED;
                out[i++] = 2;
            } else {
                out[i++] = KIND_NOP;
                out[i++] = KIND_NOP;
            }
            out[i++] = KIND_TIMESTAMPS;
            out[i++] = 10;
            putU32(out, i, tsVal);
            putU32(out, i + 4, tsEcr);
            i += 8;
        } else if (sackPermitted) {
            out[i++] = KIND_NOP;
            out[i++] = KIND_NOP;
            out[i++] = KIND_SACK_PERMITTED;
            out[i++] = 2;
        }
        if (windowScale >= 0) {
            out[i++] = KIND_NOP;
            out[i++] = KIND_WINDOW_SCALE;
            out[i++] = 3;
            out[i++] = (byte) windowScale;
        }
        int room = (MAX_LENGTH - (i - offset) - 4) / 8;
        int n = Math.min(sackBlockCount, Math.max(room, 0));
        if (n > 0) {
            out[i++] = KIND_NOP;
            out[i++] = KIND_NOP;
            out[i++] = KIND_SACK;
            out[i++] = (byte) (2 + 8 * n);
            for (int k = 0; k < 2 * n; k++) {
                putU32(out, i, sackBlocks[k]);
                i += 4;
            }
        }
        while (((i - offset) & 3) != 0) {
            out[i++] = KIND_EOL;
        }
        return i - offset;
    }

    /** The MSS option's value, or -1 when absent. */
    public int mss() {
        return mss;
    }

    public TcpOptions mss(int value) {
        mss = value;
        return this;
    }

    /** The window shift, clamped to 14 (RFC 7323 §2.3), or -1 when absent. */
    public int windowScale() {
        return windowScale;
    }

    public TcpOptions windowScale(int shift) {
        windowScale = shift;
        return this;
    }

    public boolean sackPermitted() {
        return sackPermitted;
    }

    public TcpOptions sackPermitted(boolean value) {
        sackPermitted = value;
        return this;
    }

    public boolean hasTimestamps() {
        return timestamps;
    }

    public int tsVal() {
        return tsVal;
    }

    public int tsEcr() {
        return tsEcr;
    }

    public TcpOptions timestamps(int value, int echoReply) {
        timestamps = true;
        tsVal = value;
        tsEcr = echoReply;
        return this;
    }

    public TcpOptions noTimestamps() {
        timestamps = false;
        return this;
    }

    public int sackBlockCount() {
        return sackBlockCount;
    }

    /** Left edge of block {@code k}: the first sequence number it holds (RFC 2018 §3). */
    public int sackLeft(int k) {
        return sackBlocks[2 * k];
    }

    /** Right edge of block {@code k}: the sequence number just after it (RFC 2018 §3). */
    public int sackRight(int k) {
        return sackBlocks[2 * k + 1];
    }

    /** Replaces the SACK blocks with {@code count} (left, right) pairs from {@code edges}. */
    public TcpOptions sackBlocks(int[] edges, int count) {
        int n = Math.min(count, MAX_SACK_BLOCKS);
        System.arraycopy(edges, 0, sackBlocks, 0, 2 * n);
        sackBlockCount = n;
        return this;
    }

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    static int u32(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }

    static void putU16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    static void putU32(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }
}
