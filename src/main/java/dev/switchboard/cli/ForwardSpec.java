package dev.switchboard.cli;

/**
 * One {@code --tcp [host:]LOCAL:REMOTE} of {@code port-forward}, as {@code coder port-forward} writes them
 * ({@code 8080:80}, {@code 127.0.0.1:8080:80}, {@code [::1]:8080:80}); the host defaults to {@code 127.0.0.1}.
 */
record ForwardSpec(String host, int localPort, int remotePort) {
    static final String DEFAULT_HOST = "127.0.0.1";
    private static final String EXPECTED = "[host:]local:remote with ports 1-65535, e.g. 8080:80 or 127.0.0.1:8080:80";

    static ForwardSpec parse(String text) {
        int last = text.lastIndexOf(':');
        if (last < 0) {
            throw usage(text);
        }
        int remote = port(text.substring(last + 1), text);
        String local = text.substring(0, last);
        int colon = local.lastIndexOf(':');
        if (colon < 0) {
            return new ForwardSpec(DEFAULT_HOST, port(local, text), remote);
        }
        String host = local.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":") || host.isEmpty()) {
            throw usage(text);
        }
        return new ForwardSpec(host, port(local.substring(colon + 1), text), remote);
    }

    /** {@code tcp://127.0.0.1:8080}, IPv6 hosts in brackets. */
    String localUrl() {
        return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + localPort;
    }

    private static int port(String digits, String text) {
        try {
            int p = Integer.parseInt(digits);
            if (p >= 1 && p <= 65_535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw usage(text);
    }

    private static UsageError usage(String text) {
        return new UsageError("--tcp", EXPECTED + ", not \"" + text + "\"");
    }
}
