package dev.switchboard.tailnet.wireguard;

/**
 * Why an incoming datagram was dropped. The device never throws on attacker bytes and changes no state on a drop; the
 * caller counts drops by reason (wireguard-go logs and drops at the same points in {@code device/receive.go}). A
 * handshake dropped under load for want of a valid mac2 is not a {@code DropReason}: it yields
 * {@link Received.CookieReply} ({@code CheckMAC2} failing → {@code SendHandshakeCookie}).
 */
public enum DropReason {
    /** Shorter than {@code MinMessageSize} (32). */
    TRUNCATED,
    /** Type not 1–4 or reserved bytes non-zero. */
    UNKNOWN_TYPE,
    /** A handshake message whose length is not exactly its type's size. */
    BAD_SIZE,
    /** mac1 does not verify under our static key ({@code CheckMAC1}). */
    BAD_MAC1,
    /** Under load, valid mac2, but the per-source rate limit is exhausted ({@code ratelimiter}). */
    RATE_LIMITED,
    /** The handshake's AEAD did not open (wrong key, corrupted). */
    HANDSHAKE_DECRYPT_FAILED,
    /** A DH produced the all-zero point ({@code errZeroECDHResult}). */
    ZERO_DH_RESULT,
    /** The initiator's static key is not a configured peer. */
    UNKNOWN_PEER,
    /** Initiation timestamp not greater than the last accepted one (a replayed initiation). */
    REPLAYED_TIMESTAMP,
    /** A second initiation from this peer within {@code HandshakeInitationRate} (20 ms). */
    INITIATION_FLOOD,
    /** Receiver index not in our index table. */
    UNKNOWN_RECEIVER_INDEX,
    /** A response that does not match an outstanding initiation. */
    UNEXPECTED_RESPONSE,
    /** A cookie reply that does not decrypt under the last mac1 we sent. */
    BAD_COOKIE_REPLY,
    /** The keypair is older than {@code RejectAfterTime} or past {@code RejectAfterMessages}. */
    KEYPAIR_EXPIRED,
    /** The transport AEAD did not open. */
    TRANSPORT_DECRYPT_FAILED,
    /** Counter already seen, too old for the window, or ≥ {@code RejectAfterMessages} ({@code replay.go}). */
    REPLAYED_COUNTER,
    /** Decrypted payload is neither IPv4 nor IPv6, or shorter than its header declares. */
    BAD_INNER_PACKET,
    /** The inner packet's source address is not in the sending peer's allowed IPs. */
    DISALLOWED_SOURCE
}
