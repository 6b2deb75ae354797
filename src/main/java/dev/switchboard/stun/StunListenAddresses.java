package dev.switchboard.stun;

import dev.switchboard.config.HostPort;

import java.util.List;

/** Parses {@code CODER_STUN_LISTEN_ADDRESSES}: a comma list of {@code host:port}, or {@code disable}. */
public final class StunListenAddresses {
    public static final String VARIABLE = "CODER_STUN_LISTEN_ADDRESSES";

    private StunListenAddresses() {
    }

    /** The addresses to bind; empty when the responder is disabled. */
    public static List<HostPort> parse(String value) {
        return HostPort.parseList(VARIABLE, value);
    }
}
