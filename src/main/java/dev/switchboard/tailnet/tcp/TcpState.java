package dev.switchboard.tailnet.tcp;

/** The connection states of RFC 9293 §3.3.2 (Figure 5). */
public enum TcpState {
    CLOSED,
    LISTEN,
    SYN_SENT,
    SYN_RECEIVED,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    CLOSE_WAIT,
    CLOSING,
    LAST_ACK,
    TIME_WAIT;

    /** States after the handshake, where RFC 9293 §3.10.7.4's "otherwise" processing applies. */
    public boolean synchronizedState() {
        return ordinal() >= ESTABLISHED.ordinal();
    }

    /** States in which the peer may still send data (RFC 9293 §3.10.7.4, seventh step). */
    public boolean receivesData() {
        return this == ESTABLISHED || this == FIN_WAIT_1 || this == FIN_WAIT_2;
    }
}
