package dev.switchboard.tailnet.engine;

import dev.switchboard.coordinator.client.CoordinatorEvent;
import dev.switchboard.tailnet.magicsock.PathChange;

import java.util.UUID;

/** What an {@link Engine} reports for logs and diagnostics, on its event loop; implementations must not block. */
public interface EngineEvents {
    /** Every coordinator event, in order. */
    default void coordinator(CoordinatorEvent event) {
    }

    /** A peer's direct path changed ({@code magicsock: disco: node … now using …}). */
    default void pathChanged(UUID peer, PathChange change) {
    }
}
