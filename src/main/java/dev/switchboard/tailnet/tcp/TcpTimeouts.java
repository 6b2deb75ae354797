package dev.switchboard.tailnet.tcp;

/**
 * The timeouts of a {@link TcpConnection} (RFC 9293 §3.10.8): TIME_WAIT's 2 MSL, the delayed ACK
 * (RFC 5681 §4.2), keep-alive (RFC 1122 §4.2.3.6), retransmission with the R2 give-up of
 * RFC 9293 §3.8.3, and the persist timer. Kept apart from the connection, as {@link TcpInput}
 * is, so each reads against its RFC; runs on the connection's event loop.
 */
final class TcpTimeouts {
    private TcpTimeouts() {
    }

    static void run(TcpConnection c, long now) {
        TcpState state = c.state();
        if (state == TcpState.TIME_WAIT) {
            if (now - c.timeWaitDeadline() >= 0) {
                c.enterClosed(TcpConnection.Error.NONE);
            }
            return;
        }
        if (!state.synchronizedState() && state != TcpState.SYN_SENT && state != TcpState.SYN_RECEIVED) {
            return;
        }
        if (c.delayedAck().due(now) && state.synchronizedState()) {
            c.sendAck();
        }
        if (c.keepalive().due(now) && state.synchronizedState()) {
            keepalive(c, now);
            if (c.state() == TcpState.CLOSED) {
                return;
            }
        }
        TcpSender sender = c.sender();
        if (sender.retransmissionDue(now)) {
            boolean handshake = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
            TcpConfig config = c.config();
            if (sender.countRetry() > (handshake ? config.synRetries() : config.retries())) {
                c.enterClosed(TcpConnection.Error.TIMEOUT); // RFC 9293 §3.8.3 R2: give up
            } else if (handshake) {
                sender.onSynTimeout(now);
                c.retransmitSyn();
            } else {
                sender.onDataTimeout(now);
            }
        } else if (sender.persistDue(now)) {
            sender.onPersistTimeout(now);
        }
    }

    /** When {@link #run} next has work; Long.MAX_VALUE for never. */
    static long nextDeadline(TcpConnection c) {
        TcpState state = c.state();
        if (state == TcpState.TIME_WAIT) {
            return c.timeWaitDeadline();
        }
        if (state == TcpState.CLOSED || state == TcpState.LISTEN) {
            return Long.MAX_VALUE;
        }
        long next = Math.min(c.sender().nextDeadlineNanos(), c.delayedAck().deadlineNanos());
        return state.synchronizedState() ? Math.min(next, c.keepalive().deadlineNanos()) : next;
    }

    /**
     * RFC 1122 §4.2.3.6: probe an idle peer, give up after the configured unanswered probes;
     * with data in flight the retransmission timer watches the peer instead.
     */
    private static void keepalive(TcpConnection c, long now) {
        Keepalive keepalive = c.keepalive();
        if (!c.sender().idle()) {
            keepalive.postpone(now);
        } else if (keepalive.exhausted()) {
            c.enterClosed(TcpConnection.Error.TIMEOUT);
        } else {
            c.sender().sendProbe();
            keepalive.probed(now);
        }
    }
}
