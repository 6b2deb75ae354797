package dev.switchboard.tailnet.ip;

/** Why bytes read from the tunnel were not accepted as an IP packet. */
public enum IpReject {
    /** Shorter than the fixed header (40 bytes for IPv6, RFC 8200 §3; 20 for IPv4, RFC 791 §3.1). */
    TRUNCATED,
    /** Version nibble neither 6 nor 4. */
    BAD_VERSION,
    /** IPv4 Internet Header Length below 5 words or beyond the total length. */
    BAD_HEADER_LENGTH,
    /** Declared payload or total length exceeds the bytes actually received. */
    LENGTH_MISMATCH,
    /** IPv4 header checksum does not verify (RFC 791 §3.1, RFC 1071). */
    BAD_HEADER_CHECKSUM,
    /** IPv4 fragment (MF set or non-zero offset); this stack does not reassemble fragments. */
    FRAGMENT
}
