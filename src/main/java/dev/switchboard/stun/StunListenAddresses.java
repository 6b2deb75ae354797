package dev.switchboard.stun;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.HostPort;

import java.util.ArrayList;
import java.util.List;

/** Parses {@code CODER_STUN_LISTEN_ADDRESSES}: a comma list of {@code host:port}, or {@code disable}. */
public final class StunListenAddresses {
    public static final String VARIABLE = "CODER_STUN_LISTEN_ADDRESSES";

    private StunListenAddresses() {
    }

    /** The addresses to bind; empty when the responder is disabled. */
    public static List<HostPort> parse(String value) {
        List<HostPort> addresses = new ArrayList<>();
        for (String item : value.split(",")) {
            String entry = item.strip();
            if (entry.equalsIgnoreCase("disable")) {
                return List.of();
            }
            if (entry.isEmpty()) {
                throw new ConfigException(VARIABLE, value, "a comma-separated list of host:port, or disable");
            }
            addresses.add(HostPort.parse(VARIABLE, entry));
        }
        return addresses;
    }
}
