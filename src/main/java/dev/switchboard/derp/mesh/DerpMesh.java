package dev.switchboard.derp.mesh;

import dev.switchboard.derp.server.DerpServer;
import io.vertx.core.Vertx;

import java.net.URI;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The relay's full mesh with its sibling relays, one hop (derp §6; Coder's {@code enterprise/derpmesh}): one
 * {@link MeshLink} per sibling relay URL, created when the sibling appears and stopped when it leaves. Who the
 * siblings are is the caller's business (the replica registry); this class only follows the set it is given.
 *
 * <p>Any thread; guarded by this.
 */
public final class DerpMesh {
    private final Vertx vertx;
    private final DerpServer server;
    private final byte[] meshKey;
    private final Map<URI, MeshLink> links = new HashMap<>();
    private boolean stopped;

    public DerpMesh(Vertx vertx, DerpServer server, byte[] meshKey) {
        this.vertx = vertx;
        this.server = server;
        this.meshKey = meshKey.clone();
    }

    /** The sibling relays now (their base URLs, e.g. {@code http://10.0.0.7:3000}); others are dropped. */
    public synchronized void meshWith(Collection<URI> relayUrls) {
        if (stopped) {
            return;
        }
        Set<URI> wanted = Set.copyOf(relayUrls);
        links.entrySet().removeIf(link -> {
            boolean gone = !wanted.contains(link.getKey());
            if (gone) {
                link.getValue().stop();
            }
            return gone;
        });
        for (URI url : wanted) {
            links.computeIfAbsent(url, u -> {
                MeshLink link = new MeshLink(vertx, server, u, meshKey);
                link.start();
                return link;
            });
        }
    }

    /** Links with a live connection (self-connects never count). */
    public synchronized int connectedPeers() {
        return (int) links.values().stream().filter(MeshLink::connected).count();
    }

    /** Siblings listed, whether connected or not, self-connects excluded. */
    public synchronized int listedPeers() {
        return (int) links.values().stream().filter(link -> !link.isSelf()).count();
    }

    public synchronized void stop() {
        stopped = true;
        links.values().forEach(MeshLink::stop);
        links.clear();
    }
}
