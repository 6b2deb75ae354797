package dev.switchboard.derp;

/** Flag bits in byte 50 of a PeerPresent frame; a modern server never sends 0. */
public final class PeerPresentFlags {
    public static final int IS_REGULAR = 0x01;
    public static final int IS_MESH_PEER = 0x02;
    public static final int IS_PROBER = 0x04;
    public static final int NOT_IDEAL = 0x08;

    private PeerPresentFlags() {
    }

    /** The flags a watcher sees for a connection; IS_REGULAR only when no other bit applies. */
    public static int of(boolean meshPeer, boolean prober, boolean notIdeal) {
        int flags = (meshPeer ? IS_MESH_PEER : 0) | (prober ? IS_PROBER : 0) | (notIdeal ? NOT_IDEAL : 0);
        return flags == 0 ? IS_REGULAR : flags;
    }
}
