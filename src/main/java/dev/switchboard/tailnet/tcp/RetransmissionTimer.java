package dev.switchboard.tailnet.tcp;

import java.time.Duration;

/**
 * The retransmission timer of RFC 6298: SRTT and RTTVAR from RTT samples (§2), the RTO clamped
 * to [min, max] (§2.4, §2.5), Karn's rule that a retransmitted segment yields no sample (§3),
 * doubling back-off on expiry (§5.5) and the timer's arm/stop/restart rules (§5.1–§5.7). Times
 * are nanoseconds from the connection's injected clock; this class never reads a clock itself.
 * All state is owned by the connection's event loop.
 */
public final class RetransmissionTimer {
    /** RFC 6298 §2.1: before any sample the RTO is 1 s; §5.7: 3 s after a retransmitted SYN. */
    private static final long SYN_RETRANSMIT_RTO = Duration.ofSeconds(3).toNanos();

    /**
     * Bounds and clock granularity G (§2.3, §4). {@link #rfc6298()} is the RFC's (min 1 s);
     * {@link #linux()} uses Linux's 200 ms floor (TCP_RTO_MIN), which RFC 6298 §2.4 permits as
     * an alternative "better" value for networks with fast round trips such as a tailnet's.
     */
    public record Config(long minRtoNanos, long maxRtoNanos, long initialRtoNanos, long granularityNanos) {
        public Config {
            if (minRtoNanos <= 0 || maxRtoNanos < minRtoNanos || initialRtoNanos < minRtoNanos
                    || initialRtoNanos > maxRtoNanos || granularityNanos <= 0) {
                throw new IllegalArgumentException("RTO bounds out of order");
            }
        }

        public static Config rfc6298() {
            return new Config(Duration.ofSeconds(1).toNanos(), Duration.ofSeconds(60).toNanos(),
                    Duration.ofSeconds(1).toNanos(), Duration.ofMillis(1).toNanos());
        }

        public static Config linux() {
            return new Config(Duration.ofMillis(200).toNanos(), Duration.ofSeconds(60).toNanos(),
                    Duration.ofSeconds(1).toNanos(), Duration.ofMillis(1).toNanos());
        }
    }

    private final Config config;
    // owned by the connection's event loop
    private boolean hasSample;
    private long srtt;
    private long rttvar;
    private long rto;
    private int backoffs;
    private boolean timing;
    private int timedSeq;
    private long timedAt;
    private boolean armed;
    private long deadline;

    public RetransmissionTimer(Config config) {
        this.config = config;
        this.rto = config.initialRtoNanos();
    }

    /**
     * Folds one RTT measurement into SRTT and RTTVAR (§2.2 for the first, §2.3 afterwards, with
     * alpha 1/8 and beta 1/4) and recomputes the RTO, which also drops any back-off (§5.7 note).
     */
    public void sample(long rttNanos) {
        long r = Math.max(rttNanos, 0);
        if (!hasSample) {
            srtt = r;
            rttvar = r / 2;
            hasSample = true;
        } else {
            // RTTVAR uses the SRTT from before this sample (§2.3: "in that order")
            rttvar = rttvar - rttvar / 4 + Math.abs(srtt - r) / 4;
            srtt = srtt - srtt / 8 + r / 8;
        }
        backoffs = 0;
        rto = clamp(srtt + Math.max(config.granularityNanos(), 4 * rttvar));
    }

    /**
     * Starts timing the segment whose last sequence number is before {@code endSeq}, unless one
     * is already being timed: one sample per round trip, as RFC 6298 §3 assumes without timestamps.
     */
    public void startTiming(int endSeq, long nowNanos) {
        if (!timing) {
            timing = true;
            timedSeq = endSeq;
            timedAt = nowNanos;
        }
    }

    /** An acknowledgment arrived; a sample is taken when it covers the timed segment. */
    public void onAck(int ack, long nowNanos) {
        if (timing && SeqNum.ge(ack, timedSeq)) {
            timing = false;
            sample(nowNanos - timedAt);
        }
    }

    /**
     * Karn's rule (§3): after any retransmission the timed segment's ACK is ambiguous, since it
     * may acknowledge either copy, so the measurement in progress is abandoned.
     */
    public void onRetransmit() {
        timing = false;
    }

    /**
     * The timer expired (§5.4–§5.6): the caller retransmits the earliest unacknowledged segment;
     * here the RTO doubles, up to the maximum, and the timer restarts with it.
     */
    public void onTimeout(long nowNanos) {
        timing = false;
        backoffs++;
        rto = Math.min(rto * 2, config.maxRtoNanos());
        arm(nowNanos);
    }

    /**
     * §5.7: if the SYN was retransmitted and the RTO is below 3 s, it restarts at 3 s once data
     * flows, since the back-off during the handshake says the path is slower than assumed.
     */
    public void onHandshakeComplete(boolean synRetransmitted) {
        if (synRetransmitted && !hasSample && rto < SYN_RETRANSMIT_RTO) {
            rto = Math.min(SYN_RETRANSMIT_RTO, config.maxRtoNanos());
        }
        backoffs = 0;
    }

    /** §5.1: data was sent; the timer starts unless it is already running. */
    public void armIfIdle(long nowNanos) {
        if (!armed) {
            arm(nowNanos);
        }
    }

    /** §5.3: new data was acknowledged with more outstanding; restart with the current RTO. */
    public void arm(long nowNanos) {
        armed = true;
        deadline = nowNanos + rto;
    }

    /** §5.2: all outstanding data has been acknowledged. */
    public void stop() {
        armed = false;
    }

    public boolean armed() {
        return armed;
    }

    public boolean expired(long nowNanos) {
        return armed && nowNanos - deadline >= 0;
    }

    public long deadlineNanos() {
        return deadline;
    }

    public long rtoNanos() {
        return rto;
    }

    /** Smoothed RTT, or 0 before the first sample. */
    public long srttNanos() {
        return srtt;
    }

    public long rttvarNanos() {
        return rttvar;
    }

    public boolean hasSample() {
        return hasSample;
    }

    /** Consecutive expiries since the last sample: how far the RTO is backed off. */
    public int backoffs() {
        return backoffs;
    }

    private long clamp(long value) {
        return Math.min(Math.max(value, config.minRtoNanos()), config.maxRtoNanos());
    }
}
