package dev.switchboard.tailnet.tcp;

import java.time.Duration;
import java.util.function.IntFunction;

/**
 * A {@link TcpConnection}'s tunables. {@code mss} is what this side can receive: IPv6 MTU 1280
 * − 40 − 20 = 1220 (RFC 9293 §3.7.1). {@code timeWaitNanos} bounds TIME_WAIT (2 MSL, RFC 9293
 * §3.3.2). {@code synRetries} and {@code retries} are R2 of RFC 9293 §3.8.3, counted in RTOs.
 */
public record TcpConfig(int mss, int receiveBuffer, int sendBuffer, boolean timestamps, boolean sack,
                        RetransmissionTimer.Config rto, long timeWaitNanos, int synRetries, int retries,
                        IntFunction<CongestionControl> congestionControl) {
    public static TcpConfig defaults() {
        return new TcpConfig(1220, 256 * 1024, 256 * 1024, true, true, RetransmissionTimer.Config.linux(),
                Duration.ofSeconds(60).toNanos(), 6, 15, Cubic::new);
    }

    public TcpConfig withCongestionControl(IntFunction<CongestionControl> factory) {
        return new TcpConfig(mss, receiveBuffer, sendBuffer, timestamps, sack, rto, timeWaitNanos, synRetries,
                retries, factory);
    }

    public TcpConfig withBuffers(int receive, int send) {
        return new TcpConfig(mss, receive, send, timestamps, sack, rto, timeWaitNanos, synRetries, retries,
                congestionControl);
    }
}
