package dev.switchboard.tailnet.tcp;

/**
 * RFC 1122 §4.2.3.6 keep-alive timing for one connection: idle since the last segment from the
 * peer, a probe each interval after that, and the verdict that the peer is gone once the
 * configured number of probes went unanswered. Probes are only sent while nothing is
 * outstanding: with data in flight the retransmission timer already detects a dead peer (as
 * Linux's tcp_keepalive_timer does). Owned by the connection's event loop.
 */
final class Keepalive {
    private final TcpConfig.Keepalive config;
    // owned by the connection's event loop
    private long deadline;
    private int probesSent;

    Keepalive(TcpConfig.Keepalive config) {
        this.config = config;
    }

    /** A segment arrived from the peer: it is alive, and the idle time starts again. */
    void heard(long nowNanos) {
        deadline = nowNanos + config.idleNanos();
        probesSent = 0;
    }

    long deadlineNanos() {
        return config.enabled() ? deadline : Long.MAX_VALUE;
    }

    boolean due(long nowNanos) {
        return config.enabled() && nowNanos - deadline >= 0;
    }

    /** Every probe went unanswered: the peer is gone. */
    boolean exhausted() {
        return probesSent >= config.probes();
    }

    /** A probe went out; the next one follows an interval later unless the peer answers. */
    void probed(long nowNanos) {
        probesSent++;
        deadline = nowNanos + config.intervalNanos();
    }

    /** Data is in flight, so no probe now; look again an interval later. */
    void postpone(long nowNanos) {
        deadline = nowNanos + config.intervalNanos();
    }
}
