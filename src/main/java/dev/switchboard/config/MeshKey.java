package dev.switchboard.config;

import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The DERP mesh key (CODER_DERP_SERVER_MESH_KEY or its _FILE variant), read and validated once. Relays that share
 * it trust each other's WatchConns/ForwardPacket/ClosePeer; it is compared in constant time and never printed. When
 * neither is set and replicas share a database, the key stored there is used ({@link SharedMeshKey}).
 */
public final class MeshKey {
    private static final String VARIABLE = "CODER_DERP_SERVER_MESH_KEY";
    private static final String FILE_VARIABLE = "CODER_DERP_SERVER_MESH_KEY_FILE";
    private static final MeshKey NONE = new MeshKey(null);

    private final byte[] key;

    private MeshKey(byte[] key) {
        this.key = key;
    }

    /** The configured key, or none; fails naming the variable (never the value) when it is malformed or both are set. */
    public static MeshKey from(Optional<String> value, Optional<Path> file) {
        if (value.isPresent() && file.isPresent()) {
            throw new ConfigException(VARIABLE, "(set)", "either the mesh key or " + FILE_VARIABLE + ", not both");
        }
        if (value.isPresent()) {
            return parse(VARIABLE, value.get());
        }
        if (file.isPresent()) {
            try {
                return parse(FILE_VARIABLE, Files.readString(file.get()));
            } catch (IOException e) {
                throw new ConfigException(FILE_VARIABLE, file.get().toString(), "a readable file");
            }
        }
        return NONE;
    }

    /** No mesh key: nobody gets mesh privileges. */
    public static MeshKey none() {
        return NONE;
    }

    /** A key already in bytes (tests, and relays given one by code rather than configuration). */
    public static MeshKey of(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("a mesh key is 32 bytes, not " + key.length);
        }
        return new MeshKey(key.clone());
    }

    private static MeshKey parse(String variable, String text) {
        ConfigOptions.named(VARIABLE).validateAs(variable, text);
        return new MeshKey(HexFormat.of().parseHex(text.strip()));
    }

    public boolean isConfigured() {
        return key != null;
    }

    /** A copy of the 32 key bytes, for a relay or mesh client that presents or checks it. */
    public Optional<byte[]> bytes() {
        return key == null ? Optional.empty() : Optional.of(key.clone());
    }

    /** Constant-time comparison with a presented key; false when none is configured. */
    public boolean matches(byte[] presented) {
        return key != null && presented != null && MessageDigest.isEqual(key, presented);
    }

    @Override
    public String toString() {
        return key == null ? "MeshKey[none]" : "MeshKey[redacted]";
    }

    static final class Producer {
        @Produces
        @Singleton
        MeshKey meshKey(SwitchboardConfig config, Instance<SharedMeshKey> shared) {
            MeshKey configured = from(config.derp().server().meshKey(), config.derp().server().meshKeyFile());
            if (configured.isConfigured() || !shared.isResolvable() || !shared.get().available()) {
                return configured;
            }
            return parse("site_settings.derp_mesh_key", shared.get().loadOrCreateHex());
        }
    }
}
