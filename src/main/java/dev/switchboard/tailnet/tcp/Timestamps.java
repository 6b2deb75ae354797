package dev.switchboard.tailnet.tcp;

import static dev.switchboard.tailnet.tcp.SeqNum.ge;
import static dev.switchboard.tailnet.tcp.SeqNum.le;
import static dev.switchboard.tailnet.tcp.SeqNum.lt;

/**
 * A connection's RFC 7323 timestamp state: whether both SYNs carried the option, TS.Recent (the
 * TSval to echo), Last.ACK.sent (which with delayed ACKs lags RCV.NXT), PAWS (§5) and the RTT
 * measurement from echoed timestamps (§4). The timestamp clock ticks every millisecond of the
 * injected clock (§5.4 allows 1 ms to 1 s). Owned by the connection's event loop.
 */
final class Timestamps {
    private static final long NANOS_PER_TICK = 1_000_000L;

    // owned by the connection's event loop
    private boolean enabled;
    private int tsRecent;
    private int lastAckSent;

    /** The peer's SYN: timestamps are on when both sides sent the option (RFC 7323 §3.2). */
    void negotiate(boolean ours, TcpOptions peer) {
        enabled = ours && peer.hasTimestamps();
        if (enabled) {
            tsRecent = peer.tsVal();
        }
    }

    boolean enabled() {
        return enabled;
    }

    int recent() {
        return tsRecent;
    }

    static int tsVal(long nowNanos) {
        return (int) (nowNanos / NANOS_PER_TICK);
    }

    /** Remembers the ACK field of a segment just sent, for the §4.3 update rule. */
    void ackSent(int ack) {
        lastAckSent = ack;
    }

    /**
     * PAWS (RFC 7323 §5.3 R1): with timestamps on, a segment whose TSval is older than TS.Recent
     * is a duplicate from an earlier wrap of the sequence space. A RST is exempt (R1 note), so
     * a peer that lost its timestamp clock can still reset the connection.
     */
    boolean pawsRejects(TcpSegment seg) {
        TcpOptions o = seg.options();
        return enabled && o.hasTimestamps() && !seg.has(TcpSegment.RST) && lt(o.tsVal(), tsRecent);
    }

    /**
     * RFC 7323 §4.3 (2): TS.Recent takes the TSval of a segment that starts at or before
     * Last.ACK.sent. With a delayed ACK pending, later segments leave TS.Recent alone, so the
     * echo the peer finally gets times the oldest unacknowledged segment, delay included (§4.3 (3)).
     */
    void update(TcpSegment seg) {
        TcpOptions o = seg.options();
        if (enabled && o.hasTimestamps() && ge(o.tsVal(), tsRecent) && le(seg.seq(), lastAckSent)) {
            tsRecent = o.tsVal();
        }
    }

    /**
     * RFC 7323 §4.2: an RTT sample from the TSecr of an ACK that advances SND.UNA, or -1. Like
     * Linux (tcp_ack_update_rtt), a TSecr of 0 is taken as "no echo", and an echo from the
     * future (a misbehaving peer) gives no sample.
     */
    long rttNanos(TcpSegment seg, long nowNanos) {
        TcpOptions o = seg.options();
        if (!enabled || !o.hasTimestamps() || o.tsEcr() == 0) {
            return -1;
        }
        int ticks = tsVal(nowNanos) - o.tsEcr();
        return ticks < 0 ? -1 : ticks * NANOS_PER_TICK;
    }
}
