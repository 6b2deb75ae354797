package dev.switchboard.config;

/**
 * Seam for a mesh key nobody configured but every replica must agree on: with a database, dev.switchboard.ha
 * generates one and stores it there (as Coder's {@code derp_mesh_key} site config). {@link MeshKey} asks it only when
 * neither CODER_DERP_SERVER_MESH_KEY nor its _FILE variant is set.
 */
public interface SharedMeshKey {
    /** Whether a shared store exists in this process (a database is configured and this is the server). */
    boolean available();

    /** The key as 64 hex digits, created on first use; may block, so it is called once, at start-up. */
    String loadOrCreateHex();
}
