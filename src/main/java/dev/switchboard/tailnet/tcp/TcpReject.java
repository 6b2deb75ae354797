package dev.switchboard.tailnet.tcp;

/**
 * Why an inbound IP payload was not accepted as a TCP segment. Every reject is a silent drop
 * (RFC 9293 §3.10.7.1 and §3.1: a segment with a bad checksum is discarded) that is counted in
 * {@link TcpRejectCounters}, never answered, so malformed input cannot make this stack speak.
 */
public enum TcpReject {
    /** The IP packet's protocol is not TCP (6). */
    NOT_TCP,
    /** Fewer than the 20 bytes of the fixed header (RFC 9293 §3.1). */
    TRUNCATED,
    /** Data Offset below 5 words or beyond the segment (RFC 9293 §3.1). */
    BAD_DATA_OFFSET,
    /** The checksum over pseudo-header, header and data does not verify (RFC 9293 §3.1). */
    BAD_CHECKSUM,
    /** Source or destination port 0, reserved and never a valid endpoint (RFC 6335 §6). */
    ZERO_PORT,
    /** An option's length byte is below 2 or runs past the header (RFC 9293 §3.2). */
    BAD_OPTION_LENGTH,
    /**
     * A known option with the wrong fixed length: MSS ≠ 4 (RFC 9293 §3.2), window scale ≠ 3 or
     * timestamps ≠ 10 (RFC 7323 §2.2, §3.2), SACK-permitted ≠ 2 or SACK ≠ 2 + 8n, n ≤ 4 (RFC 2018 §2, §3).
     */
    BAD_OPTION_SIZE
}
