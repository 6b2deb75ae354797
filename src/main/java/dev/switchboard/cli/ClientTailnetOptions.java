package dev.switchboard.cli;

import dev.switchboard.tailnet.engine.EngineOptions;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.UUID;

/**
 * The agent argument and the flags every client command that dials an agent shares ({@code ping}, {@code speedtest},
 * {@code port-forward}), each from its flag or else the environment variable Coder's CLI reads. A picocli mixin.
 */
public final class ClientTailnetOptions {
    @Parameters(index = "0", paramLabel = "<agent-id>", description = "The agent's UUID")
    String agent;

    @Option(names = "--url", description = "Server URL (default: $CODER_URL)")
    String url;

    @Option(names = "--token", description = "Session token (default: $CODER_SESSION_TOKEN)")
    String token;

    @Option(names = "--disable-direct-connections",
            description = "Relay everything through DERP (or set CODER_DISABLE_DIRECT_CONNECTIONS=true)")
    boolean disableDirect;

    @Option(names = "--udp-bind", description = "UDP ip:port of the magic socket (default: $CODER_UDP_BIND, "
            + "else 0.0.0.0:0)")
    String udpBind;

    UUID agentId() {
        try {
            return UUID.fromString(agent);
        } catch (IllegalArgumentException e) {
            throw new UsageError("<agent-id>", "the agent's UUID, not \"" + agent + "\"");
        }
    }

    boolean relayOnly(Map<String, String> env) {
        return TailnetFlags.flagOrEnv(disableDirect, env, "CODER_DISABLE_DIRECT_CONNECTIONS");
    }

    /** A client engine's options for this agent; usage mistakes are {@link UsageError}s. */
    EngineOptions engineOptions(Map<String, String> env) {
        UUID agentId = agentId();
        InetSocketAddress bind = TailnetFlags.udpBind(udpBind, env, "CODER_UDP_BIND");
        return new EngineOptions(TailnetFlags.serverUrl("--url", url, env),
                TailnetFlags.required("--token", token, env, "CODER_SESSION_TOKEN"), false, agentId,
                bind.getAddress().getHostAddress(), bind.getPort(), relayOnly(env), false);
    }
}
