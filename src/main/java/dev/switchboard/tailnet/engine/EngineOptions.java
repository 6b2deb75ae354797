package dev.switchboard.tailnet.engine;

import java.net.URI;
import java.util.Objects;
import java.util.UUID;

/**
 * How an {@link Engine} joins the tailnet.
 *
 * @param server          {@code http(s)://host[:port]} of the Switchboard server
 * @param token           agent token (agents) or session token (clients)
 * @param agent           an agent serving its own ID, or a client dialling that agent
 * @param agentId         the agent's UUID: its own for an agent, the destination for a client
 * @param bindHost        the magic socket's address ({@code 0.0.0.0} for every interface)
 * @param bindPort        its port, 0 for any
 * @param disableDirect   relay-only by local choice ({@code --disable-direct-connections})
 * @param trustAll        accept any TLS certificate from the server (self-signed development servers)
 */
public record EngineOptions(URI server, String token, boolean agent, UUID agentId, String bindHost, int bindPort,
                            boolean disableDirect, boolean trustAll) {
    public EngineOptions {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(bindHost, "bindHost");
    }
}
