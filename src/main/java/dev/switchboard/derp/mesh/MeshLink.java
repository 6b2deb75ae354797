package dev.switchboard.derp.mesh;

import dev.switchboard.derp.Frames;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.derp.client.DerpMessage;
import dev.switchboard.derp.server.DerpServer;
import dev.switchboard.derp.server.PacketForwarder;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * This relay's connection to one sibling relay, as derper's mesh client runs it ({@code cmd/derper/mesh.go},
 * {@code derp/derphttp} {@code RunWatchConnectionLoop}): a DERP client with our own server key and the mesh key that
 * sends WatchConns; each PeerPresent makes this link the forwarder for that key on our server, each PeerGone undoes
 * it, and a broken connection undoes them all and is redialled every {@link #RECONNECT}. A link that reaches our own
 * server (the registry listed us, or two URLs name one pod) is a self-connect: it is abandoned, not retried.
 *
 * <p>Forwarded packets from any event loop queue here (bounded: {@link #QUEUE}, full drops and says so) and are
 * written on the link's context, so no other loop waits on this socket.
 */
final class MeshLink implements PacketForwarder {
    private static final Logger LOG = Logger.getLogger(MeshLink.class);
    static final Duration RECONNECT = Duration.ofSeconds(5);
    /** Frames waiting for the link's context; beyond it forwarding drops, as derper drops on write errors. */
    static final int QUEUE = 1024;

    private final Vertx vertx;
    private final DerpServer server;
    private final DerpClientOptions options;
    private final ArrayBlockingQueue<Buffer> outbox = new ArrayBlockingQueue<>(QUEUE); // any thread
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile DerpClient client; // null while down
    private volatile boolean stopped;
    private volatile boolean self;
    // owned by the link's context
    private final Set<NodeKey> learned = new HashSet<>();
    private Context context;

    MeshLink(Vertx vertx, DerpServer server, URI relayUrl, byte[] meshKey) {
        this.vertx = vertx;
        this.server = server;
        this.options = DerpClientOptions.of(relayUrl.resolve("/derp"), server.privateKey()).withMeshKey(meshKey);
    }

    void start() {
        dial();
    }

    /** Stops redialling and closes the connection; what it announced is withdrawn. */
    void stop() {
        stopped = true;
        DerpClient current = client;
        if (current != null) {
            current.close();
        }
    }

    boolean connected() {
        return client != null;
    }

    boolean isSelf() {
        return self;
    }

    URI url() {
        return options.url();
    }

    @Override
    public boolean forward(NodeKey source, NodeKey destination, Buffer packet) {
        DerpClient current = client;
        if (current == null || !outbox.offer(Frames.forwardPacket(source, destination, packet))) {
            return false;
        }
        if (drainScheduled.compareAndSet(false, true)) {
            current.context().runOnContext(v -> drain(current));
        }
        return true;
    }

    private void drain(DerpClient current) {
        drainScheduled.set(false);
        for (Buffer frame; (frame = outbox.poll()) != null; ) {
            current.write(frame);
        }
    }

    private void dial() {
        if (stopped) {
            return;
        }
        DerpClient.connect(vertx, options).onSuccess(this::connected).onFailure(e -> {
            LOG.debugf("mesh: %s unreachable: %s", options.url(), e.getMessage());
            redial();
        });
    }

    private void connected(DerpClient connected) {
        if (connected.serverKey().equals(server.publicKey())) {
            self = true;
            LOG.infof("mesh: %s is this relay (self-connect); not meshing with it", options.url());
            connected.close();
            return;
        }
        context = connected.context();
        connected.messageHandler(this::onMessage);
        connected.closeFuture().onComplete(done -> context.runOnContext(v -> lost(connected)));
        connected.watchConns();
        client = connected;
        LOG.infof("mesh: connected to %s (relay %s)", options.url(), connected.serverKey().shortString());
        if (stopped) {
            connected.close();
        }
    }

    private void onMessage(DerpMessage message) {
        if (message instanceof DerpMessage.PeerPresent present && learned.add(present.peer())) {
            server.addForwarder(present.peer(), this);
        } else if (message instanceof DerpMessage.PeerGone gone && learned.remove(gone.peer())) {
            server.removeForwarder(gone.peer(), this);
        }
    }

    /** derper's MeshConnBroke: everything learned on this connection is withdrawn, then the link redials. */
    private void lost(DerpClient closed) {
        if (client == closed) {
            client = null;
        }
        outbox.clear();
        learned.forEach(key -> server.removeForwarder(key, this));
        learned.clear();
        if (!stopped) {
            LOG.infof("mesh: lost %s; redialling every %d s", options.url(), RECONNECT.toSeconds());
        }
        redial();
    }

    private void redial() {
        if (!stopped) {
            vertx.setTimer(RECONNECT.toMillis(), id -> dial());
        }
    }
}
