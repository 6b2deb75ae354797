package dev.switchboard.derp.server;

/** Why a packet was not delivered; {@link #label()} is the metric label, as in derper's {@code dropReason}. */
public enum DropReason {
    /** No connection for the destination key. */
    UNKNOWN_DEST("unknown_dest"),
    /** A mesh peer forwarded a packet for a key not connected here. */
    UNKNOWN_DEST_ON_FWD("unknown_dest_on_fwd"),
    /** The destination closed while the packet was queued. */
    GONE_DISCONNECTED("gone_disconnected"),
    /** The oldest queued packet was dropped to make room. */
    QUEUE_HEAD("queue_head"),
    /** The new packet was dropped: the queue stayed full through the backpressure wait. */
    QUEUE_TAIL("queue_tail"),
    /**
     * Writing to the destination failed: its transport stayed unwritable past the write timeout, so the session was
     * closed and the packets still queued for it are counted here (derper counts the packet whose write hit the
     * deadline; frames already handed to our transport are released by it, uncounted).
     */
    WRITE_ERROR("write_error"),
    /** The destination key has several connections and none is active. */
    DUP_CLIENT("dup_client");

    private final String label;

    DropReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
