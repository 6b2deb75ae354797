package dev.switchboard.stun;

/**
 * Keeps a STUN socket from amplifying a flood: it never sends more bytes than it has received plus
 * {@link #ALLOWANCE}. UDP sources are forged for free, so a responder that answers 20-byte Binding requests with
 * 32 bytes (IPv4) or 44 bytes (IPv6), or 52 with FINGERPRINT (RFC 8489 §14.2, §14.7), would reflect more traffic
 * at a victim than the attacker sends.
 *
 * <p>One credit counter, confined to the socket's event loop: every datagram received adds its payload, every
 * answer takes its own, and the credit never exceeds the allowance, so over any stretch of time the bytes sent are
 * at most the bytes received in it plus the allowance (no per-source state a spoofed flood could grow). Payload
 * bytes are counted; each answer goes out to the address its request came from with the same IP and UDP headers, so
 * the bound holds on the wire too.
 *
 * <p>Answers to Tailscale's request (40 bytes; 32 back over IPv4, 44 over IPv6) may use the whole credit, others
 * only what lies above {@link #RESERVE}: a flood of bare requests cannot starve real clients, and the 8 bytes every
 * IPv4 client leaves pay for the 4 an IPv6 client takes. Traffic of IPv6 Tailscale clients alone, with no other
 * datagram arriving, spends the allowance after 16,384 answers; from then on about one answer in eleven is dropped,
 * which is what the bound costs. The responder has one budget per socket, so the total allowance is the allowance
 * times the number of sockets.
 */
final class ByteBudget {
    /** Bytes that may be sent beyond those received (and the credit a socket starts with). */
    static final int ALLOWANCE = 64 * 1024;
    /** Credit only answers to Tailscale requests may dip into. */
    static final int RESERVE = ALLOWANCE / 2;

    private int credit = ALLOWANCE;

    /** A datagram of {@code bytes} arrived, whatever it is. */
    void received(int bytes) {
        credit = Math.min(ALLOWANCE, credit + bytes);
    }

    /** Takes {@code bytes} for an answer if they fit; false (nothing taken) if the answer must be dropped. */
    boolean spend(int bytes, boolean tailscale) {
        int left = credit - bytes;
        if (left < (tailscale ? 0 : RESERVE)) {
            return false;
        }
        credit = left;
        return true;
    }
}
