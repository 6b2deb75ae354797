package dev.switchboard.ha;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static dev.switchboard.ha.ReplicaRegistryTest.FAST;
import static dev.switchboard.ha.ReplicaRegistryTest.done;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The database going away under a running replica, as a PostgreSQL restart does it: every connection (pool and
 * LISTEN) is cut at once and new ones are refused, then the server is back. The replica reaches it through a TCP
 * proxy the test cuts; its sibling keeps a direct connection. The replica turns unhealthy after three failed beats,
 * drops out of its sibling's view after the alive window, and comes back by itself when the proxy does.
 */
@EnabledIf("dev.switchboard.ha.TestDatabase#available")
class DatabaseOutageTest {
    private static TestDatabase database;
    private Vertx vertx;
    private Vertx siblingVertx;

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.create();
        database.migrate();
    }

    @AfterAll
    static void drop() {
        if (database != null) {
            database.close();
        }
    }

    @AfterEach
    void close() throws Exception {
        for (Vertx v : List.of(vertx, siblingVertx)) {
            v.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aReplicaCutOffFromTheDatabaseTurnsUnhealthyAndRecoversWithoutARestart() throws Exception {
        vertx = Vertx.vertx();
        siblingVertx = Vertx.vertx();
        PgConnectOptions direct = database.connectOptions();
        CuttableProxy proxy = new CuttableProxy(vertx, direct.getHost(), direct.getPort());
        PgConnectOptions viaProxy = new PgConnectOptions(direct).setHost("127.0.0.1").setPort(proxy.port());
        ReplicaRegistry replica = new ReplicaRegistry(vertx,
                PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(viaProxy).using(vertx).build(),
                viaProxy, self("replica"), FAST);
        ReplicaRegistry sibling = new ReplicaRegistry(siblingVertx, database.pool(siblingVertx), direct,
                self("sibling"), FAST);
        done(replica.start());
        done(sibling.start());
        await().atMost(Duration.ofSeconds(10)).until(() -> replica.siblings().size() == 1
                && sibling.siblings().size() == 1 && replica.healthy());

        proxy.cut();
        long cutAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> !replica.healthy());
        long unhealthyAfter = Duration.ofNanos(System.nanoTime() - cutAt).toMillis();
        assertTrue(unhealthyAfter >= FAST.heartbeat().toMillis() * (FAST.failuresBeforeDown() - 1),
                "unhealthy after " + unhealthyAfter + " ms, before three beats could fail");
        assertTrue(replica.lastError().isPresent());
        await().atMost(Duration.ofSeconds(10)).until(() -> sibling.siblings().isEmpty());

        proxy.restore();
        await().atMost(Duration.ofSeconds(15)).until(() -> replica.healthy() && replica.lastError().isEmpty()
                && sibling.siblings().size() == 1 && replica.siblings().size() == 1);
        done(replica.stop());
        done(sibling.stop());
    }

    private static Replica.Self self(String host) {
        return new Replica.Self(UUID.randomUUID(), host, URI.create("http://" + host + ".internal:3000"), 999, "test");
    }

    /** A TCP proxy to PostgreSQL that can drop every connection and refuse new ones, then accept again. */
    private static final class CuttableProxy {
        private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
        private final NetServer server;
        private volatile boolean refusing;

        CuttableProxy(Vertx vertx, String host, int port) throws Exception {
            server = vertx.createNetServer().connectHandler(client -> {
                if (refusing) {
                    client.close();
                    return;
                }
                client.pause();
                vertx.createNetClient().connect(port, host).onSuccess(upstream -> {
                    open.add(client);
                    open.add(upstream);
                    client.pipeTo(upstream);
                    upstream.pipeTo(client);
                    client.resume();
                }).onFailure(e -> client.close());
            });
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        int port() {
            return server.actualPort();
        }

        void cut() {
            refusing = true;
            open.forEach(NetSocket::close);
            open.clear();
        }

        void restore() {
            refusing = false;
        }
    }
}
