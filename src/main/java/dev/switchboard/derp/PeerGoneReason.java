package dev.switchboard.derp;

/** Reason byte of a PeerGone frame. */
public enum PeerGoneReason {
    /** The peer's last connection to this region closed. */
    DISCONNECTED(0x00),
    /** A disco packet was sent to a key that is not connected here. */
    NOT_HERE(0x01);

    private final int code;

    PeerGoneReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Pre-v1.40 servers send no reason byte; clients treat that as DISCONNECTED. Unknown codes map to null. */
    public static PeerGoneReason fromCode(int code) {
        for (PeerGoneReason reason : values()) {
            if (reason.code == code) {
                return reason;
            }
        }
        return null;
    }
}
