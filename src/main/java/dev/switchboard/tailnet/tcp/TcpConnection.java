package dev.switchboard.tailnet.tcp;

import java.util.function.LongSupplier;

/**
 * One TCP connection, RFC 9293 §3.10 event processing: OPEN (active, passive), SEND, RECEIVE,
 * CLOSE, ABORT, SEGMENT ARRIVES ({@link TcpInput}) and the timeouts. Pure: segments come in
 * through {@link #onSegment}, go out through a {@link SegmentSink}, time comes from an injected
 * clock and timers fire only when the owner calls {@link #onTimer}, so tests drive it
 * deterministically. Negotiates MSS, window scale, timestamps ({@link Timestamps}) and
 * SACK-permitted in the SYN (RFC 7323, RFC 2018) and sends SACK blocks; the send half
 * ({@link TcpSender}) retransmits, recovers from loss with SACK and probes zero windows; the
 * receive half is a {@link ReassemblyQueue} whose free space is the advertised window, with
 * {@link DelayedAck}; {@link Keepalive} probes an idle peer when configured. Not thread-safe:
 * every field is owned by the connection's event loop.
 */
public final class TcpConnection {
    /** Why the connection closed abnormally. */
    public enum Error { NONE, RESET, REFUSED, TIMEOUT }

    /** RFC 9293 §3.7.1: the MSS assumed for an IPv6 peer that sent no MSS option. */
    private static final int DEFAULT_IPV6_MSS = 1220;
    /** RFC 7323 §3.2: the Timestamps option as sent, with its two NOPs. */
    private static final int TIMESTAMP_OPTION_BYTES = 12;

    private final TcpConfig config;
    private final LongSupplier clock;
    private final SegmentSink sink;
    private final ReassemblyQueue receive;
    private final ReceiveWindow window;
    private final TcpSender sender;
    private final Timestamps timestamps = new Timestamps();
    private final DelayedAck delayedAck;
    private final Keepalive keepalive;
    private final TcpOptions out = new TcpOptions();
    private final int[] sackEdges = new int[2 * TcpOptions.MAX_SACK_BLOCKS];
    private final byte[] scratch;
    private final int iss;
    // owned by the connection's event loop
    private TcpState state = TcpState.CLOSED;
    private Error error = Error.NONE;
    private boolean passive;
    private boolean windowScaleOk;
    private boolean sackOk;
    private boolean peerFin;
    private int peerFinSeq;
    private boolean peerFinConsumed;
    private boolean synRetransmitted;
    private long timeWaitDeadline;

    public TcpConnection(TcpConfig config, LongSupplier clock, SegmentSink sink, int iss) {
        this.config = config;
        this.clock = clock;
        this.sink = sink;
        this.iss = iss;
        this.receive = new ReassemblyQueue(config.receiveBuffer(), 64, 0);
        this.scratch = new byte[config.mss()];
        this.sender = new TcpSender(this, iss, config.sendBuffer(), scratch, config.rto(), config.noDelay());
        this.window = new ReceiveWindow(receive, config.mss());
        this.delayedAck = new DelayedAck(config.delayedAckNanos());
        this.keepalive = new Keepalive(config.keepalive());
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
        sendSyn(false);
    }

    /** SEND (RFC 9293 §3.10.2): queues up to {@code len} bytes; returns how many fit. */
    public int write(byte[] src, int off, int len) {
        if (!(state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT
                || state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED)) {
            return 0;
        }
        int n = sender.write(src, off, len);
        output();
        return n;
    }

    /**
     * RECEIVE (RFC 9293 §3.10.3): copies in-order data out, which reopens the window; a window
     * update is sent once the right edge moves by min(buffer / 2, MSS) (RFC 9293 §3.8.6.2.2).
     */
    public int read(byte[] dst, int off, int len) {
        int n = receive.read(dst, off, len);
        if (n > 0 && state.synchronizedState() && window.opensEnough()) {
            sendAck();
        }
        return n;
    }

    /** CLOSE (RFC 9293 §3.10.4): a FIN follows the queued data. */
    public void close() {
        switch (state) {
            case LISTEN, SYN_SENT -> enterClosed(Error.NONE);
            case SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT -> {
                if (!sender.finQueued()) {
                    sender.queueFin();
                    if (state == TcpState.ESTABLISHED) {
                        state = TcpState.FIN_WAIT_1;
                    } else if (state == TcpState.CLOSE_WAIT) {
                        state = TcpState.LAST_ACK;
                    } // SYN_RECEIVED: FIN_WAIT_1 once established (RFC 9293 §3.10.4)
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
            emit(sender.sndMax(), TcpSegment.RST, 0); // the peer's RCV.NXT, as RFC 5961 §3.2 wants it
        }
        enterClosed(Error.NONE);
    }

    /** TCP_NODELAY: true turns Nagle's algorithm off for this connection (RFC 9293 §3.7.4). */
    public void setNoDelay(boolean noDelay) {
        sender.setNoDelay(noDelay);
        output();
    }

    /**
     * Runs whatever timer has expired: retransmission, zero-window probe, delayed ACK,
     * keep-alive or TIME_WAIT ({@link TcpTimeouts}).
     */
    public void onTimer() {
        TcpTimeouts.run(this, clock.getAsLong());
    }

    /** When {@link #onTimer} next has work, on the injected clock; Long.MAX_VALUE for never. */
    public long nextDeadlineNanos() {
        return TcpTimeouts.nextDeadline(this);
    }

    /** SEGMENT ARRIVES (RFC 9293 §3.10.7) for a segment already validated by {@link TcpSegment#wrap}. */
    public void onSegment(TcpSegment seg) {
        long now = clock.getAsLong();
        keepalive.heard(now);
        switch (state) {
            case CLOSED -> TcpReset.reply(seg, sink); // RFC 9293 §3.10.7.1
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
        return sender.writable();
    }

    /** Bytes written but not yet acknowledged by the peer. */
    public int unacknowledged() {
        return sender.unacknowledged();
    }

    public int sendMss() {
        return sender.sndMss();
    }

    public int sendWindow() {
        return sender.sndWnd();
    }

    public int sendWindowScale() {
        return sender.sndScale();
    }

    public boolean timestampsEnabled() {
        return timestamps.enabled();
    }

    public CongestionControl congestionControl() {
        return sender.congestionControl();
    }

    public RetransmissionTimer retransmissionTimer() {
        return sender.timer();
    }

    // ---- for TcpInput and TcpSender (same package, same event loop) ----

    TcpSender sender() {
        return sender;
    }

    int iss() {
        return iss;
    }

    int sndMax() {
        return sender.sndMax();
    }

    int rcvNxt() {
        return receive.rcvNxt() + (peerFinConsumed ? 1 : 0);
    }

    ReassemblyQueue receiveQueue() {
        return receive;
    }

    Timestamps timestamps() {
        return timestamps;
    }

    DelayedAck delayedAck() {
        return delayedAck;
    }

    Keepalive keepalive() {
        return keepalive;
    }

    TcpConfig config() {
        return config;
    }

    long timeWaitDeadline() {
        return timeWaitDeadline;
    }

    /** The handshake's retransmission timer fired: the SYN or SYN-ACK goes out again. */
    void retransmitSyn() {
        synRetransmitted = true;
        sendSyn(state == TcpState.SYN_RECEIVED);
    }

    boolean passive() {
        return passive;
    }

    void setState(TcpState next) {
        state = next;
    }

    /** Adopts the peer's SYN: IRS, and the options only enabled when both sides sent them. */
    void acceptSyn(TcpSegment syn) {
        receive.reset(syn.seq() + 1);
        timestamps.ackSent(syn.seq() + 1); // Last.ACK.sent, as our SYN-ACK or ACK will carry it
        TcpOptions o = syn.options();
        int mss = Math.min(o.mss() > 0 ? o.mss() : DEFAULT_IPV6_MSS, config.mss());
        windowScaleOk = o.windowScale() >= 0; // RFC 7323 §2.2: both sides sent it, so both shift
        if (!windowScaleOk) {
            window.disableScaling();
        }
        timestamps.negotiate(config.timestamps(), o);
        if (timestamps.enabled()) {
            mss -= TIMESTAMP_OPTION_BYTES; // RFC 7323 §3.2: the option rides on every segment
        }
        sackOk = config.sack() && o.sackPermitted();
        sender.negotiated(mss, windowScaleOk ? o.windowScale() : 0, config.congestionControl().apply(mss), syn,
                sackOk, timestamps.enabled());
    }

    /** LISTEN saw a SYN, or SYN_SENT saw a SYN without ACK (simultaneous open): send SYN-ACK. */
    void synReceived() {
        state = TcpState.SYN_RECEIVED;
        sendSyn(true);
    }

    /** The peer retransmitted its SYN: our SYN-ACK was lost, so send it again now. */
    void resendSynAck() {
        synRetransmitted = true;
        sender.timer().onRetransmit();
        sendSyn(true);
    }

    /** SYN_SENT or SYN_RECEIVED saw its SYN acknowledged. */
    void established(int ack, TcpSegment seg, long now) {
        state = sender.finQueued() ? TcpState.FIN_WAIT_1 : TcpState.ESTABLISHED;
        sender.onSynAcked(ack, seg, now, synRetransmitted);
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
        sender.stopTimers();
        timeWaitDeadline = now + config.timeWaitNanos();
    }

    void enterClosed(Error why) {
        state = TcpState.CLOSED;
        if (error == Error.NONE) {
            error = why;
        }
        sender.stopTimers();
    }

    /** Sends an ACK now, with SACK blocks for held out-of-order data (RFC 2018 §4). */
    void sendAck() {
        // SND.MAX, not SND.NXT: after an RTO rewinds SND.NXT for go-back-N, an ACK stamped with it
        // would fall below the peer's RCV.NXT, be unacceptable there (RFC 9293 §3.10.7.4 first
        // step) and have its ACK field ignored; Linux stamps pure ACKs the same way (tcp_acceptable_seq)
        emit(sender.sndMax(), TcpSegment.ACK, 0);
    }

    /**
     * In-order data arrived: ACK now when RFC 5681 §4.2 asks for it ({@code immediate}: out of
     * order, filling a hole, a FIN) or every second segment; otherwise within the ACK delay.
     * Nothing is sent when outgoing data carries the ACK.
     */
    void acknowledgeData(boolean immediate, long now) {
        boolean ackNow = immediate || delayedAck.onSegment(now);
        if (!output() && ackNow) {
            sendAck();
        }
    }

    void sendReset(int seq) {
        emit(seq, TcpSegment.RST, 0);
    }

    /** Sends what the send half has and the windows allow; true if anything went out. */
    boolean output() {
        if (!state.synchronizedState() || state == TcpState.TIME_WAIT) {
            return false;
        }
        return sender.output(clock.getAsLong());
    }

    /**
     * Emits a non-SYN segment of {@code dataLength} bytes from the scratch buffer, with
     * ACK = RCV.NXT, this side's window, timestamps and (on pure ACKs) SACK blocks.
     */
    void emit(int seq, int flags, int dataLength) {
        boolean reset = (flags & TcpSegment.RST) != 0;
        out.clear();
        if (timestamps.enabled()) {
            out.timestamps(Timestamps.tsVal(clock.getAsLong()), timestamps.recent());
        }
        if (sackOk && dataLength == 0 && !reset) {
            // on pure ACKs only, so data segments never exceed the MSS with options
            out.sackBlocks(sackEdges, receive.sackBlocks(sackEdges, timestamps.enabled() ? 3 : TcpOptions.MAX_SACK_BLOCKS));
        }
        int ack = (flags & TcpSegment.ACK) != 0 ? rcvNxt() : 0;
        if ((flags & TcpSegment.ACK) != 0) {
            timestamps.ackSent(ack);
            delayedAck.cancel();
        }
        sink.send(seq, ack, flags, reset ? 0 : window.advertise(), out, scratch, 0, dataLength);
    }

    // ---- private ----

    private void sendSyn(boolean withAck) {
        out.clear().mss(config.mss()).sackPermitted(config.sack() && (!withAck || sackOk));
        if (!withAck || windowScaleOk) {
            out.windowScale(window.scale()); // RFC 7323 §2.2: a SYN-ACK carries it only if the SYN did
        }
        if (config.timestamps() && (!withAck || timestamps.enabled())) {
            out.timestamps(Timestamps.tsVal(clock.getAsLong()), withAck ? timestamps.recent() : 0);
        }
        sink.send(iss, withAck ? rcvNxt() : 0, TcpSegment.SYN | (withAck ? TcpSegment.ACK : 0), window.synWindow(), out,
                scratch, 0, 0);
        sender.synSent(clock.getAsLong(), synRetransmitted);
    }

    private void requireState(TcpState expected) {
        if (state != expected) {
            throw new IllegalStateException("connection is " + state + ", not " + expected);
        }
    }
}
