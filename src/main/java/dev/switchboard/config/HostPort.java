package dev.switchboard.config;

/** A {@code host:port} setting; host may be empty (all interfaces) or a bracketed IPv6 literal. */
public record HostPort(String host, int port) {
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
}
