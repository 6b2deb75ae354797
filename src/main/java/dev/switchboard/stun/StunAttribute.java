package dev.switchboard.stun;

/** STUN attribute types Switchboard reads or writes (RFC 8489 §18.3). */
public final class StunAttribute {
    /** Classic, not XORed: reserved(1) ‖ family(1) ‖ port(2) ‖ address. Read only as a client fallback. */
    public static final int MAPPED_ADDRESS = 0x0001;
    /** reserved(1) ‖ family(1) ‖ port ⊕ 0x2112 ‖ address ⊕ (cookie ‖ transaction ID). */
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    /** Pre-RFC code point for XOR-MAPPED-ADDRESS that some servers still send. */
    public static final int XOR_MAPPED_ADDRESS_ALT = 0x8020;
    /** UTF-8 product name; Tailscale clients send {@code tailnode} as the first attribute. */
    public static final int SOFTWARE = 0x8022;
    /** CRC-32 of the message before it, XOR 0x5354554e; always the last attribute. */
    public static final int FINGERPRINT = 0x8028;

    private StunAttribute() {
    }
}
