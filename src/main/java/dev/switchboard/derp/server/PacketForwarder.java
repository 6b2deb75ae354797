package dev.switchboard.derp.server;

import dev.switchboard.derp.NodeKey;
import io.vertx.core.buffer.Buffer;

/**
 * A way to reach keys connected to a sibling relay: this relay's own mesh connection to it, on which a packet for
 * such a key goes out as ForwardPacket (derper's {@code PacketForwarder}, {@code derp/derp_server.go}).
 */
public interface PacketForwarder {
    /**
     * Sends {@code packet} from {@code source} to {@code destination} on the sibling; called from any event loop.
     * The packet is only valid during the call. False when it was not sent (link down or its queue full): mesh
     * forwarding drops rather than waits, as derper ignores forwarding errors.
     */
    boolean forward(NodeKey source, NodeKey destination, Buffer packet);
}
