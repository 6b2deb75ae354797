package dev.switchboard.ha;

import dev.switchboard.config.ReplicaSettings;
import dev.switchboard.config.SharedMeshKey;
import io.vertx.core.Context;
import io.vertx.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.util.concurrent.TimeUnit;

/** Supplies the mesh key from the database to {@code MeshKey} when replicas share one and none is configured. */
@ApplicationScoped
public class HaMeshKey implements SharedMeshKey {
    private final ReplicaSettings settings;
    private final Instance<Pool> pool;

    public HaMeshKey(ReplicaSettings settings, Instance<Pool> pool) {
        this.settings = settings;
        this.pool = pool;
    }

    @Override
    public boolean available() {
        return settings.database().isPresent();
    }

    @Override
    public String loadOrCreateHex() {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("the mesh key is read at start-up, never on an event loop");
        }
        try {
            return new MeshKeyStore(pool.get()).loadOrCreate().toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read or store the mesh key in the database: " + e.getMessage(), e);
        }
    }
}
