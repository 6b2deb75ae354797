package dev.switchboard.ha;

import dev.switchboard.config.MeshKey;
import dev.switchboard.config.PgConnectionUrl;
import dev.switchboard.config.ReplicaSettings;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.coordinator.CoordinatorService;
import dev.switchboard.derp.mesh.DerpMesh;
import dev.switchboard.derp.server.DerpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Starts the replica registry and the coordinator across replicas ({@link PgCoordinator}) when
 * CODER_PG_CONNECTION_URL is set (Flyway has migrated by then); at shutdown marks this coordinator's peers LOST and
 * removes this replica's row. With the relay on, the relay meshes with every live sibling in its region, following
 * the registry (Coder's {@code enterprise/derpmesh}, fed by replicasync): no static mesh list. Without a database
 * nothing here touches the datasource, which is inactive.
 */
@ApplicationScoped
public class HaLifecycle {
    private static final Logger LOG = Logger.getLogger(HaLifecycle.class);

    private final ReplicaSettings settings;
    private final Vertx vertx;
    private final Instance<Pool> pool;
    private final Instance<MeshKey> meshKey;
    private final Instance<DerpServer> relay;
    private final boolean relayEnabled;
    private final MeterRegistry metrics;
    private final CoordinatorService coordinators;
    private volatile ReplicaRegistry registry;
    private volatile PgCoordinator coordinator;
    private volatile DerpMesh mesh;

    public HaLifecycle(ReplicaSettings settings, Vertx vertx, Instance<Pool> pool, Instance<MeshKey> meshKey,
                       Instance<DerpServer> relay, SwitchboardConfig config, MeterRegistry metrics,
                       CoordinatorService coordinators) {
        this.settings = settings;
        this.vertx = vertx;
        this.pool = pool;
        this.meshKey = meshKey;
        this.relay = relay;
        this.relayEnabled = config.derp().server().enable();
        this.metrics = metrics;
        this.coordinators = coordinators;
    }

    void start(@Observes StartupEvent event) {
        Optional<PgConnectionUrl> database = settings.database();
        if (database.isEmpty()) {
            return;
        }
        // Coder always has a mesh key once it has a database (workspace proxies use it even without the relay).
        meshKey.get().isConfigured();
        Replica.Self self = new Replica.Self(UUID.randomUUID(), hostname(), settings.relayUrl(), settings.regionId(),
                settings.version());
        registry = new ReplicaRegistry(vertx, pool.get(), listenOptions(database.get()), self, HaTimings.CODER);
        if (relayEnabled) {
            startMesh(registry);
        }
        registry.start();
        coordinator = new PgCoordinator(vertx, pool.get(), listenOptions(database.get()), coordinators.coordinator(),
                CoordinatorTimings.CODER, metrics);
        coordinator.start();
        LOG.infof("Replica %s registered (%s, relay URL %s, region %d)", self.id(), database.get(), self.relayUrl(),
                self.regionId());
    }

    private void startMesh(ReplicaRegistry replicas) {
        DerpMesh started = new DerpMesh(vertx, relay.get(), meshKey.get().bytes().orElseThrow());
        replicas.onSiblingsChanged(siblings -> started.meshWith(replicas.meshPeers().stream()
                .map(sibling -> URI.create(sibling.relayUrl())).toList()));
        Gauge.builder("switchboard.derp.mesh.peers", started, DerpMesh::listedPeers).tag("state", "listed")
                .description("Sibling relays this relay meshes with").register(metrics);
        Gauge.builder("switchboard.derp.mesh.peers", started, DerpMesh::connectedPeers).tag("state", "connected")
                .description("Sibling relays this relay meshes with").register(metrics);
        mesh = started;
    }

    void stop(@Observes ShutdownEvent event) {
        DerpMesh meshed = mesh;
        if (meshed != null) {
            meshed.stop();
        }
        PgCoordinator shared = coordinator;
        if (shared != null) {
            try {
                // Coder gives the "peers lost" update 15 s at shutdown.
                shared.stop().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warnf("Coordinator peers not marked lost at shutdown (%s); the others see them LOST when its"
                        + " heartbeat expires", e.getMessage());
            }
        }
        ReplicaRegistry running = registry;
        if (running == null) {
            return;
        }
        try {
            running.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("Replica row not removed at shutdown (%s); siblings drop it when it goes stale", e.getMessage());
        }
    }

    /** The registry, when this replica shares a database. */
    public Optional<ReplicaRegistry> registry() {
        return Optional.ofNullable(registry);
    }

    /** The coordinator across replicas, when this replica shares a database. */
    public Optional<PgCoordinator> coordinator() {
        return Optional.ofNullable(coordinator);
    }

    /** The relay's mesh with its siblings, when this replica shares a database and runs the relay. */
    public Optional<DerpMesh> mesh() {
        return Optional.ofNullable(mesh);
    }

    /** LISTEN needs its own connection, configured as the pool's. */
    static PgConnectOptions listenOptions(PgConnectionUrl url) {
        PgConnectOptions options = PgConnectOptions.fromUri(url.reactiveUrl());
        if (!url.user().isEmpty()) {
            options.setUser(url.user());
        }
        if (!url.password().isEmpty()) {
            options.setPassword(url.password());
        }
        if (options.getSslMode() == SslMode.ALLOW || options.getSslMode() == SslMode.PREFER
                || options.getSslMode() == SslMode.REQUIRE) {
            options.setTrustAll(true);
        }
        return options;
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
