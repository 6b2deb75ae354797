package dev.switchboard.tailnet.tcp;

/**
 * The window this side advertises (RFC 9293 §3.8.6): RCV.WND is the room the reader has left in the receive buffer,
 * scaled by the shift negotiated in the SYN (RFC 7323 §2), and its right edge moves only in steps of
 * min(buffer / 2, MSS) so a slow reader does not make the peer send tiny segments (receiver-side silly window
 * syndrome avoidance, RFC 9293 §3.8.6.2.2). Owned by the connection's event loop.
 */
final class ReceiveWindow {
    private final ReassemblyQueue receive;
    private final int mss;
    private int scale;
    private int advertisedEdge;

    ReceiveWindow(ReassemblyQueue receive, int mss) {
        this.receive = receive;
        this.mss = mss;
        int shift = 0;
        while ((receive.capacity() >> shift) > 0xffff && shift < TcpOptions.MAX_WINDOW_SCALE) {
            shift++;
        }
        this.scale = shift; // RFC 7323 §2.3: the smallest shift that lets 16 bits span the buffer
    }

    /** The shift this side announces in its SYN. */
    int scale() {
        return scale;
    }

    /** The peer did not send window scale: neither side shifts (RFC 7323 §2.2). */
    void disableScaling() {
        scale = 0;
    }

    /** The unscaled window of a SYN or SYN-ACK (never scaled, RFC 7323 §2.2), which also fixes the right edge. */
    int synWindow() {
        int window = Math.min(receive.window(), 0xffff);
        advertisedEdge = receive.rcvNxt() + window;
        return window;
    }

    /** The window field of a non-SYN segment: scaled, its right edge never moving left. */
    int advertise() {
        if (opensEnough()) {
            advertisedEdge = receive.rcvNxt() + receive.window();
        }
        int window = Math.max(advertisedEdge - receive.rcvNxt(), 0);
        return Math.min(window >>> scale, 0xffff);
    }

    /** Whether reading has freed enough room that a window update is worth sending. */
    boolean opensEnough() {
        int edge = receive.rcvNxt() + receive.window();
        int step = Math.min(receive.capacity() / 2, mss);
        return edge - advertisedEdge >= step || (receive.window() > 0 && advertisedEdge == receive.rcvNxt());
    }
}
