package dev.switchboard.config;

import java.util.ArrayList;
import java.util.List;

/** A {@code host:port} setting; host may be empty (all interfaces) or a bracketed IPv6 literal. */
public record HostPort(String host, int port) {
    /**
     * Parses a comma list of {@code host:port}; {@code disable} anywhere means none (empty list), as Coder's
     * STUN settings do. Fails naming {@code variable} on an empty item or a bad entry.
     */
    public static List<HostPort> parseList(String variable, String value) {
        List<HostPort> addresses = new ArrayList<>();
        for (String item : value.split(",")) {
            String entry = item.strip();
            if (entry.equalsIgnoreCase("disable")) {
                return List.of();
            }
            if (entry.isEmpty()) {
                throw new ConfigException(variable, value, "a comma-separated list of host:port, or disable");
            }
            addresses.add(parse(variable, entry));
        }
        return addresses;
    }

    /** Parses {@code value}, failing with a message that names {@code variable}. */
    public static HostPort parse(String variable, String value) {
        String text = value.strip();
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException(variable, value, "host:port, e.g. 127.0.0.1:3000 or :3000");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new ConfigException(variable, value, "IPv6 hosts in brackets, e.g. [::]:3000");
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(variable, value, "a numeric port in host:port");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(variable, value, "a port between 0 and 65535");
        }
        return new HostPort(host, port);
    }

    /** {@code host:port}, brackets around IPv6 hosts, as it would be configured. */
    @Override
    public String toString() {
        return urlHost(host) + ":" + port;
    }

    /** {@code host} as it appears in a URL or {@code host:port}: IPv6 literals in brackets. */
    public static String urlHost(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
