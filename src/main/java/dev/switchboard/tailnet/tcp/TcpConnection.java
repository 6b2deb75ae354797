package dev.switchboard.tailnet.tcp;

import java.time.Duration;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

import static dev.switchboard.tailnet.tcp.SeqNum.ge;
import static dev.switchboard.tailnet.tcp.SeqNum.gt;
import static dev.switchboard.tailnet.tcp.SeqNum.le;
import static dev.switchboard.tailnet.tcp.SeqNum.lt;

/**
 * One TCP connection's state machine, RFC 9293 §3.10 event processing: OPEN (active, passive),
 * SEND, RECEIVE, CLOSE, ABORT, SEGMENT ARRIVES and the timeouts. Pure: segments come in through
 * {@link #onSegment}, go out through a {@link SegmentSink}, time comes from an injected clock and
 * timers fire only when the owner calls {@link #onTimer}, so tests drive it deterministically.
 * Negotiates MSS, window scale, timestamps and SACK-permitted in the SYN (RFC 7323, RFC 2018),
 * sends SACK blocks, retransmits on {@link RetransmissionTimer} expiry and on three duplicate
 * ACKs under a {@link CongestionControl}, probes zero windows, and bounds TIME_WAIT.
 * Not thread-safe: every field is owned by the connection's event loop.
 */
public final class TcpConnection {
    /** Why the connection closed abnormally. */
    public enum Error { NONE, RESET, REFUSED, TIMEOUT }

    /**
     * Tunables. {@code mss} is what this side can receive: IPv6 MTU 1280 − 40 − 20 = 1220
     * (RFC 9293 §3.7.1). {@code timeWaitNanos} bounds TIME_WAIT (2 MSL in RFC 9293 §3.3.2).
     */
    public record Config(int mss, int receiveBuffer, int sendBuffer, boolean timestamps, boolean sack,
                         RetransmissionTimer.Config rto, long timeWaitNanos, int synRetries, int retries,
                         IntFunction<CongestionControl> congestionControl) {
        public static Config defaults() {
            return new Config(1220, 256 * 1024, 256 * 1024, true, true, RetransmissionTimer.Config.linux(),
                    Duration.ofSeconds(60).toNanos(), 6, 15, Cubic::new);
        }

        public Config withCongestionControl(IntFunction<CongestionControl> factory) {
            return new Config(mss, receiveBuffer, sendBuffer, timestamps, sack, rto, timeWaitNanos, synRetries,
                    retries, factory);
        }

        public Config withBuffers(int receive, int send) {
            return new Config(mss, receive, send, timestamps, sack, rto, timeWaitNanos, synRetries, retries,
                    congestionControl);
        }
    }

    /** RFC 9293 §3.7.1: the MSS assumed for an IPv6 peer that sent no MSS option. */
    private static final int DEFAULT_IPV6_MSS = 1220;
    /** RFC 7323 §3.2: the Timestamps option as sent, with its two NOPs. */
    private static final int TIMESTAMP_OPTION_BYTES = 12;

    private final Config config;
    private final LongSupplier clock;
    private final SegmentSink sink;
    private final ReassemblyQueue receive;
    private final SendBuffer send;
    private final RetransmissionTimer timer;
    private final TcpOptions out = new TcpOptions();
    private final int[] sackEdges = new int[2 * TcpOptions.MAX_SACK_BLOCKS];
    private final byte[] scratch;
    private final int iss;
    // owned by the connection's event loop
    private CongestionControl cc;
    private TcpState state = TcpState.CLOSED;
    private Error error = Error.NONE;
    private boolean passive;
    private int sndUna;
    private int sndNxt;
    private int sndMax;
    private int sndWnd;
    private int sndWl1;
    private int sndWl2;
    private int sndScale;
    private boolean windowScaleOk;
    private int rcvScale;
    private int advertisedEdge;
    private int sndMss;
    private boolean tsOk;
    private int tsRecent;
    private boolean sackOk;
    private boolean finQueued;
    private boolean finAcked;
    private int finSeq;
    private boolean peerFin;
    private int peerFinSeq;
    private boolean peerFinConsumed;
    private boolean synRetransmitted;
    private int retries;
    private long timeWaitDeadline;
    private boolean persistArmed;
    private long persistDeadline;
    private int persistBackoffs;
    private boolean sentSegment;

    public TcpConnection(Config config, LongSupplier clock, SegmentSink sink, int iss) {
        this.config = config;
        this.clock = clock;
        this.sink = sink;
        this.iss = iss;
        this.receive = new ReassemblyQueue(config.receiveBuffer(), 64, 0);
        this.send = new SendBuffer(config.sendBuffer());
        this.timer = new RetransmissionTimer(config.rto());
        this.scratch = new byte[config.mss()];
        int shift = 0;
        while ((config.receiveBuffer() >> shift) > 0xffff && shift < TcpOptions.MAX_WINDOW_SCALE) {
            shift++;
        }
        this.rcvScale = shift;
    }

    /** Passive OPEN (RFC 9293 §3.10.1): wait for a SYN. */
    public void listen() {
        requireState(TcpState.CLOSED);
        passive = true;
        state = TcpState.LISTEN;
    }

    /** Active OPEN (RFC 9293 §3.10.1): send a SYN and enter SYN_SENT. */
    public void connect() {
        requireState(TcpState.CLOSED);
        state = TcpState.SYN_SENT;
        sndUna = iss;
        sendSyn(false);
    }

    /** SEND (RFC 9293 §3.10.2): queues up to {@code len} bytes; returns how many fit. */
    public int write(byte[] src, int off, int len) {
        if (finQueued || !(state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT
                || state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED)) {
            return 0;
        }
        int n = send.write(src, off, len);
        output();
        return n;
    }

    /**
     * RECEIVE (RFC 9293 §3.10.3): copies in-order data out, which reopens the window; a window
     * update is sent once the right edge moves by min(buffer / 2, MSS) (RFC 9293 §3.8.6.2.2).
     */
    public int read(byte[] dst, int off, int len) {
        int n = receive.read(dst, off, len);
        if (n > 0 && state.synchronizedState() && windowOpensEnough()) {
            sendAck();
        }
        return n;
    }

    /** CLOSE (RFC 9293 §3.10.4): a FIN follows the queued data. */
    public void close() {
        switch (state) {
            case LISTEN, SYN_SENT -> enterClosed(Error.NONE);
            case SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT -> {
                if (!finQueued) {
                    finQueued = true;
                    finSeq = dataStart() + send.size();
                    if (state == TcpState.ESTABLISHED) {
                        state = TcpState.FIN_WAIT_1;
                    } else if (state == TcpState.CLOSE_WAIT) {
                        state = TcpState.LAST_ACK;
                    }
                    output();
                }
            }
            default -> {
            }
        }
    }

    /** ABORT (RFC 9293 §3.10.5): a RST to the peer in synchronized states, then CLOSED. */
    public void abort() {
        if (state.synchronizedState() || state == TcpState.SYN_RECEIVED) {
            emit(sndNxt, 0, TcpSegment.RST, 0);
        }
        enterClosed(Error.NONE);
    }

    /** Runs whatever timer has expired: retransmission, zero-window probe or TIME_WAIT. */
    public void onTimer() {
        long now = clock.getAsLong();
        if (state == TcpState.TIME_WAIT && now - timeWaitDeadline >= 0) {
            enterClosed(Error.NONE);
            return;
        }
        if (timer.expired(now)) {
            onRetransmissionTimeout(now);
        } else if (persistArmed && now - persistDeadline >= 0) {
            // zero-window probe (RFC 9293 §3.8.6.1) as Linux sends it: an old sequence number,
            // SND.UNA − 1, which the receiver must answer with an ACK carrying its window
            emit(sndUna - 1, rcvNxt(), TcpSegment.ACK, 0);
            persistBackoffs++;
            armPersist(now);
        }
    }

    /** When {@link #onTimer} next has work, on the injected clock; Long.MAX_VALUE for never. */
    public long nextDeadlineNanos() {
        if (state == TcpState.TIME_WAIT) {
            return timeWaitDeadline;
        }
        long next = Long.MAX_VALUE;
        if (timer.armed()) {
            next = timer.deadlineNanos();
        }
        if (persistArmed && persistDeadline < next) {
            next = persistDeadline;
        }
        return next;
    }

    /** SEGMENT ARRIVES (RFC 9293 §3.10.7) for a segment already validated by {@link TcpSegment#wrap}. */
    public void onSegment(TcpSegment seg) {
        long now = clock.getAsLong();
        switch (state) {
            case CLOSED -> replyToClosed(seg);
            case LISTEN -> TcpInput.listen(this, seg);
            case SYN_SENT -> TcpInput.synSent(this, seg, now);
            default -> TcpInput.synchronizedInput(this, seg, now);
        }
    }

    public TcpState state() {
        return state;
    }

    public Error error() {
        return error;
    }

    /** In-order bytes the reader can take. */
    public int readable() {
        return receive.readable();
    }

    /** True once the peer's FIN has been received in order: no more data will arrive. */
    public boolean peerClosed() {
        return peerFinConsumed;
    }

    /** Room left in the send buffer. */
    public int writable() {
        return finQueued ? 0 : send.free();
    }

    /** Bytes written but not yet acknowledged by the peer. */
    public int unacknowledged() {
        return send.size();
    }

    public int sendMss() {
        return sndMss;
    }

    public int sendWindow() {
        return sndWnd;
    }

    public boolean timestampsEnabled() {
        return tsOk;
    }

    public int sendWindowScale() {
        return sndScale;
    }

    public CongestionControl congestionControl() {
        return cc;
    }

    public RetransmissionTimer retransmissionTimer() {
        return timer;
    }

    // ---- shared with TcpInput (same package) ----

    int iss() {
        return iss;
    }

    int rcvNxt() {
        return receive.rcvNxt() + (peerFinConsumed ? 1 : 0);
    }

    ReassemblyQueue receiveQueue() {
        return receive;
    }

    /** Adopts the peer's SYN: IRS, and the options only enabled when both sides sent them. */
    void acceptSyn(TcpSegment syn) {
        receive.reset(syn.seq() + 1);
        TcpOptions o = syn.options();
        sndMss = Math.min(o.mss() > 0 ? o.mss() : DEFAULT_IPV6_MSS, config.mss());
        windowScaleOk = o.windowScale() >= 0;
        if (windowScaleOk) {
            sndScale = o.windowScale(); // RFC 7323 §2.2: both sides sent it, so both shift
        } else {
            sndScale = 0;
            rcvScale = 0;
        }
        tsOk = config.timestamps() && o.hasTimestamps();
        if (tsOk) {
            tsRecent = o.tsVal();
            sndMss -= TIMESTAMP_OPTION_BYTES; // RFC 7323 §3.2: the option rides on every segment
        }
        sackOk = config.sack() && o.sackPermitted();
        // RFC 7323 §2.2: the window in a SYN is never scaled
        sndWnd = syn.window();
        sndWl1 = syn.seq();
        sndWl2 = syn.ack();
        cc = config.congestionControl().apply(sndMss);
    }

    void passiveOpen() {
        state = TcpState.SYN_RECEIVED;
        sndUna = iss;
        sendSyn(true);
    }

    /** The peer retransmitted its SYN: our SYN-ACK was lost, so send it again now. */
    void resendSynAck() {
        synRetransmitted = true;
        timer.onRetransmit();
        sendSyn(true);
    }

    void simultaneousOpen() {
        state = TcpState.SYN_RECEIVED;
        sendSyn(true);
    }

    /** SYN_SENT or SYN_RECEIVED saw its SYN acknowledged. */
    void established(int ack, TcpSegment seg, long now) {
        state = TcpState.ESTABLISHED;
        sndUna = iss + 1;
        if (lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        timer.onAck(ack, now);
        timer.stop();
        timer.onHandshakeComplete(synRetransmitted);
        retries = 0;
        if (seg.has(TcpSegment.SYN)) {
            sndWnd = seg.window();
        } else {
            sndWnd = seg.window() << sndScale;
        }
        sndWl1 = seg.seq();
        sndWl2 = ack;
        if (finQueued) {
            state = TcpState.FIN_WAIT_1;
        }
    }

    void setState(TcpState next) {
        state = next;
    }

    boolean passive() {
        return passive;
    }

    void updateTsRecent(TcpSegment seg) {
        // RFC 7323 §4.3: remember the newest TSval from a segment that is not beyond our last ACK
        TcpOptions o = seg.options();
        if (tsOk && o.hasTimestamps() && ge(o.tsVal(), tsRecent) && le(seg.seq(), rcvNxt())) {
            tsRecent = o.tsVal();
        }
    }

    int sndUna() {
        return sndUna;
    }

    int sndMax() {
        return sndMax;
    }

    int flightSize() {
        return sndMax - sndUna;
    }

    boolean finAcked() {
        return finAcked;
    }

    /** A cumulative ACK above SND.UNA (RFC 9293 §3.10.7.4 fifth, RFC 6298 §5.2–§5.3). */
    void onNewAck(int ack, long now) {
        int acked = ack - sndUna;
        timer.onAck(ack, now);
        int finPart = finQueued && !finAcked && gt(ack, finSeq) ? 1 : 0;
        send.ack(acked - finPart);
        if (finPart == 1) {
            finAcked = true;
        }
        sndUna = ack;
        if (lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        retries = 0;
        persistBackoffs = 0;
        boolean partial = cc.onAck(ack, acked, flightSize(), now, timer.srttNanos());
        if (sndUna == sndMax) {
            timer.stop();
        } else {
            timer.arm(now);
        }
        if (partial) {
            retransmitFirst();
        }
    }

    void onDuplicateAck(long now) {
        if (cc.onDuplicateAck(sndUna, flightSize(), sndMax, now)) {
            retransmitFirst(); // RFC 5681 §3.2 step 2, fast retransmit
        }
    }

    /** RFC 9293 §3.10.7.4 fifth: SND.WL1/WL2 guard against old segments rewinding the window. */
    void updateWindow(TcpSegment seg, int ack) {
        if (lt(sndWl1, seg.seq()) || (sndWl1 == seg.seq() && le(sndWl2, ack))) {
            sndWnd = seg.window() << sndScale;
            sndWl1 = seg.seq();
            sndWl2 = ack;
        }
    }

    int sndWndRaw() {
        return sndWnd;
    }

    void onPeerFin(int seq) {
        peerFin = true;
        peerFinSeq = seq;
    }

    /** Consumes the peer's FIN once all data before it has arrived (RFC 9293 §3.10.7.4 eighth). */
    boolean consumeFinIfReady() {
        if (peerFin && !peerFinConsumed && receive.rcvNxt() == peerFinSeq) {
            peerFinConsumed = true;
            return true;
        }
        return false;
    }

    void enterTimeWait(long now) {
        state = TcpState.TIME_WAIT;
        timer.stop();
        persistArmed = false;
        timeWaitDeadline = now + config.timeWaitNanos();
    }

    void enterClosed(Error why) {
        state = TcpState.CLOSED;
        if (error == Error.NONE) {
            error = why;
        }
        timer.stop();
        persistArmed = false;
    }

    /** Sends an ACK now, with SACK blocks for held out-of-order data (RFC 2018 §4). */
    void sendAck() {
        emit(sndNxt, rcvNxt(), TcpSegment.ACK, 0);
    }

    void sendReset(int seq) {
        emit(seq, 0, TcpSegment.RST, 0);
    }

    /** Sends what the windows allow (RFC 9293 §3.8.6.2.1, RFC 5681 §3.1). Returns true if anything went out. */
    boolean output() {
        sentSegment = false;
        if (!state.synchronizedState() || state == TcpState.TIME_WAIT) {
            return false;
        }
        long now = clock.getAsLong();
        while (true) {
            int sent = sndNxt - dataStart();
            int unsent = send.size() - sent;
            int room = Math.min(cc.cwnd(), sndWnd) - (sndNxt - sndUna);
            if (unsent > 0) {
                int n = Math.min(Math.min(unsent, sndMss), room);
                // sender SWS avoidance (RFC 9293 §3.8.6.2.1): no runt while data is in flight
                if (n <= 0 || (n < sndMss && n < unsent && sndNxt != sndUna)) {
                    break;
                }
                send.copy(sent, scratch, 0, n);
                boolean fresh = ge(sndNxt, sndMax);
                emit(sndNxt, rcvNxt(), TcpSegment.ACK | (n == unsent ? TcpSegment.PSH : 0), n);
                if (fresh) {
                    timer.startTiming(sndNxt + n, now);
                }
                advanceSndNxt(n);
                timer.armIfIdle(now);
            } else if (finQueued && !finAcked && sndNxt == finSeq) {
                emit(sndNxt, rcvNxt(), TcpSegment.FIN | TcpSegment.ACK, 0);
                advanceSndNxt(1);
                timer.armIfIdle(now);
                break;
            } else {
                break;
            }
        }
        persistCheck(now, send.size() - (sndNxt - dataStart()) > 0);
        return sentSegment;
    }

    // ---- private ----

    private void advanceSndNxt(int n) {
        sndNxt += n;
        if (gt(sndNxt, sndMax)) {
            sndMax = sndNxt;
        }
    }

    private int dataStart() {
        return state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED ? iss + 1 : sndUna;
    }

    private void persistCheck(long now, boolean unsentData) {
        if (sndWnd == 0 && unsentData && sndUna == sndMax) {
            if (!persistArmed) {
                armPersist(now);
            }
        } else {
            persistArmed = false;
        }
    }

    private void armPersist(long now) {
        long interval = Math.min(timer.rtoNanos() << Math.min(persistBackoffs, 20), config.rto().maxRtoNanos());
        persistArmed = true;
        persistDeadline = now + interval;
    }

    private void onRetransmissionTimeout(long now) {
        int limit = state.synchronizedState() ? config.retries() : config.synRetries();
        if (++retries > limit) {
            enterClosed(Error.TIMEOUT); // RFC 9293 §3.8.3 R2: give up
            return;
        }
        timer.onTimeout(now);
        timer.onRetransmit();
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
            synRetransmitted = true;
            sendSyn(state == TcpState.SYN_RECEIVED);
            return;
        }
        cc.onRetransmissionTimeout(flightSize(), sndMax, now);
        sndNxt = sndUna; // go back to SND.UNA and resend under the collapsed window (RFC 5681 §3.1)
        output();
    }

    private void retransmitFirst() {
        timer.onRetransmit();
        int n = Math.min(send.size(), sndMss);
        if (n > 0) {
            send.copy(0, scratch, 0, n);
            emit(sndUna, rcvNxt(), TcpSegment.ACK, n);
        } else if (finQueued && !finAcked) {
            emit(finSeq, rcvNxt(), TcpSegment.FIN | TcpSegment.ACK, 0);
        }
    }

    private void sendSyn(boolean withAck) {
        out.clear().mss(config.mss()).sackPermitted(config.sack() && (!withAck || sackOk));
        if (!withAck || windowScaleOk) {
            out.windowScale(rcvScale); // RFC 7323 §2.2: a SYN-ACK carries it only if the SYN did
        }
        if (config.timestamps() && (!withAck || tsOk)) {
            out.timestamps(tsVal(), withAck ? tsRecent : 0);
        }
        int window = Math.min(receive.window(), 0xffff);
        advertisedEdge = receive.rcvNxt() + window;
        sink.send(iss, withAck ? rcvNxt() : 0, TcpSegment.SYN | (withAck ? TcpSegment.ACK : 0), window, out,
                scratch, 0, 0);
        sndNxt = iss + 1;
        sndMax = sndNxt;
        long now = clock.getAsLong();
        if (!synRetransmitted) {
            timer.startTiming(sndNxt, now); // a SYN sent once gives an RTT sample (RFC 6298 §2)
        }
        timer.armIfIdle(now);
    }

    /** Emits a non-SYN segment with this connection's window, timestamps and SACK blocks. */
    private void emit(int seq, int ack, int flags, int dataLength) {
        out.clear();
        if (tsOk) {
            out.timestamps(tsVal(), tsRecent);
        }
        if (sackOk && dataLength == 0 && (flags & TcpSegment.RST) == 0) {
            out.sackBlocks(sackEdges, receive.sackBlocks(sackEdges, tsOk ? 3 : TcpOptions.MAX_SACK_BLOCKS));
        }
        int window = (flags & TcpSegment.RST) != 0 ? 0 : advertiseWindow();
        sink.send(seq, ack, flags, window, out, scratch, 0, dataLength);
        sentSegment = true;
    }

    /** RCV.WND to advertise, scaled, moving the right edge only in steps (receiver SWS avoidance). */
    private int advertiseWindow() {
        if (windowOpensEnough()) {
            advertisedEdge = receive.rcvNxt() + receive.window();
        }
        int window = Math.max(advertisedEdge - receive.rcvNxt(), 0);
        return Math.min(window >>> rcvScale, 0xffff);
    }

    private boolean windowOpensEnough() {
        int edge = receive.rcvNxt() + receive.window();
        int step = Math.min(receive.capacity() / 2, config.mss());
        return edge - advertisedEdge >= step || (receive.window() > 0 && advertisedEdge == receive.rcvNxt());
    }

    private int tsVal() {
        return (int) (clock.getAsLong() / 1_000_000L); // RFC 7323 §5.4: a 1 ms timestamp clock
    }

    /** RFC 9293 §3.10.7.1: a CLOSED connection answers everything but a RST with a RST. */
    private void replyToClosed(TcpSegment seg) {
        if (seg.has(TcpSegment.RST)) {
            return;
        }
        if (seg.has(TcpSegment.ACK)) {
            sink.send(seg.ack(), 0, TcpSegment.RST, 0, null, scratch, 0, 0);
        } else {
            sink.send(0, seg.seq() + seg.segmentLength(), TcpSegment.RST | TcpSegment.ACK, 0, null, scratch, 0, 0);
        }
    }

    private void requireState(TcpState expected) {
        if (state != expected) {
            throw new IllegalStateException("connection is " + state + ", not " + expected);
        }
    }
}
