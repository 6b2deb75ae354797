package dev.switchboard.derp.server;

import dev.switchboard.derp.NodeKey;
import io.vertx.core.Future;

/**
 * Which clients may use the relay (derper's {@code --verify-clients}, tailscale/tailscale derp/derp_server.go
 * verifyClient): asked once per connection after ClientInfo, for clients without the mesh key. A refused client is
 * closed before ServerInfo, as derper's accept returns "client … rejected".
 */
@FunctionalInterface
public interface ClientAdmission {
    /** Completes with whether {@code client} may use the relay; a failure refuses it too. Never blocks. */
    Future<Boolean> admits(NodeKey client);
}
