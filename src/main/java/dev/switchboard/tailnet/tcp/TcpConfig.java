package dev.switchboard.tailnet.tcp;

import java.time.Duration;
import java.util.function.IntFunction;

/**
 * A {@link TcpConnection}'s tunables. {@code mss} is what this side can receive: IPv6 MTU 1280
 * − 40 − 20 = 1220 (RFC 9293 §3.7.1). {@code timeWaitNanos} bounds TIME_WAIT (2 MSL, RFC 9293
 * §3.3.2). {@code synRetries} and {@code retries} are R2 of RFC 9293 §3.8.3, counted in RTOs.
 * {@code delayedAckNanos} is the longest an ACK waits for a second segment or a reply to ride on
 * (RFC 5681 §4.2 allows up to 500 ms; 40 ms is Linux's TCP_DELACK_MIN; 0 ACKs every segment).
 * {@code noDelay} turns Nagle's algorithm off (RFC 896, RFC 9293 §3.7.4), as TCP_NODELAY does.
 * {@code keepalive} is off by default (RFC 1122 §4.2.3.6: "MUST default to off").
 */
public record TcpConfig(int mss, int receiveBuffer, int sendBuffer, boolean timestamps, boolean sack,
                        RetransmissionTimer.Config rto, long timeWaitNanos, int synRetries, int retries,
                        IntFunction<CongestionControl> congestionControl, long delayedAckNanos, boolean noDelay,
                        Keepalive keepalive) {
    /**
     * RFC 1122 §4.2.3.6 keep-alives: after {@code idleNanos} without a segment from the peer, a
     * probe every {@code intervalNanos}; {@code probes} unanswered ones drop the connection.
     * Linux's defaults are 2 h, 75 s and 9 (tcp_keepalive_time, _intvl, _probes).
     */
    public record Keepalive(long idleNanos, long intervalNanos, int probes) {
        public static final Keepalive OFF = new Keepalive(0, 0, 0);

        public Keepalive {
            if (idleNanos < 0 || intervalNanos < 0 || probes < 0 || (idleNanos > 0 && (intervalNanos == 0 || probes == 0))) {
                throw new IllegalArgumentException("keepalive needs a positive idle time, interval and probe count");
            }
        }

        public boolean enabled() {
            return idleNanos > 0;
        }
    }

    public static TcpConfig defaults() {
        return new TcpConfig(1220, 256 * 1024, 256 * 1024, true, true, RetransmissionTimer.Config.linux(),
                Duration.ofSeconds(60).toNanos(), 6, 15, Cubic::new, Duration.ofMillis(40).toNanos(), false,
                Keepalive.OFF);
    }

    public TcpConfig withCongestionControl(IntFunction<CongestionControl> factory) {
        return new TcpConfig(mss, receiveBuffer, sendBuffer, timestamps, sack, rto, timeWaitNanos, synRetries,
                retries, factory, delayedAckNanos, noDelay, keepalive);
    }

    public TcpConfig withBuffers(int receive, int send) {
        return new TcpConfig(mss, receive, send, timestamps, sack, rto, timeWaitNanos, synRetries, retries,
                congestionControl, delayedAckNanos, noDelay, keepalive);
    }

    /** Turns the options RFC 7323 timestamps and RFC 2018 SACK on or off in the SYN. */
    public TcpConfig withOptions(boolean useTimestamps, boolean useSack) {
        return new TcpConfig(mss, receiveBuffer, sendBuffer, useTimestamps, useSack, rto, timeWaitNanos, synRetries,
                retries, congestionControl, delayedAckNanos, noDelay, keepalive);
    }

    public TcpConfig withDelayedAck(Duration delay) {
        return new TcpConfig(mss, receiveBuffer, sendBuffer, timestamps, sack, rto, timeWaitNanos, synRetries,
                retries, congestionControl, delay.toNanos(), noDelay, keepalive);
    }

    public TcpConfig withNoDelay(boolean nagleOff) {
        return new TcpConfig(mss, receiveBuffer, sendBuffer, timestamps, sack, rto, timeWaitNanos, synRetries,
                retries, congestionControl, delayedAckNanos, nagleOff, keepalive);
    }

    public TcpConfig withKeepalive(Keepalive k) {
        return new TcpConfig(mss, receiveBuffer, sendBuffer, timestamps, sack, rto, timeWaitNanos, synRetries,
                retries, congestionControl, delayedAckNanos, noDelay, k);
    }
}
