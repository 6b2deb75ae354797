package dev.switchboard.cli;

import dev.switchboard.tailnet.magicsock.AddrPorts;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * The settings {@code agent} and {@code ping} share, each from its flag or else its environment variable (as Coder's
 * CLI reads {@code CODER_URL}, {@code CODER_SESSION_TOKEN}, {@code CODER_AGENT_TOKEN}). Usage mistakes are
 * {@link UsageError}s.
 */
final class TailnetFlags {
    private TailnetFlags() {
    }

    static String required(String flag, String value, Map<String, String> env, String variable) {
        String v = value != null ? value : env.getOrDefault(variable, "");
        if (v.isBlank()) {
            throw new UsageError(flag, "required (or set " + variable + ")");
        }
        return v.strip();
    }

    static URI serverUrl(String flag, String value, Map<String, String> env) {
        String text = required(flag, value, env, "CODER_URL");
        try {
            URI uri = URI.create(text);
            if (("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new UsageError(flag, "an http(s)://host[:port] URL, not \"" + text + "\"");
    }

    /** The magic socket's {@code ip:port} (port 0: any), from the flag or {@code variable}; all interfaces by default. */
    static InetSocketAddress udpBind(String value, Map<String, String> env, String variable) {
        String text = value != null ? value : env.getOrDefault(variable, "");
        if (text.isBlank()) {
            return new InetSocketAddress("0.0.0.0", 0);
        }
        Optional<InetSocketAddress> parsed = AddrPorts.parse(text.strip());
        if (parsed.isEmpty() || AddrPorts.is6(parsed.get())) {
            throw new UsageError("--udp-bind", "an IPv4 ip:port such as 0.0.0.0:41641, not \"" + text + "\"");
        }
        return parsed.get();
    }

    static boolean flagOrEnv(boolean flag, Map<String, String> env, String variable) {
        return flag || Boolean.parseBoolean(env.getOrDefault(variable, "false").strip());
    }
}
