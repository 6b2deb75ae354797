package dev.switchboard.derp.server;

import dev.switchboard.config.PrivateFiles;
import dev.switchboard.derp.NodePrivateKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The relay's persistent identity: a node private key in a file holding {@code privkey:<64 hex>}, created with mode
 * 0600 on first start so that restarts keep the public key clients may have pinned.
 */
public final class ServerKeyFile {
    /** Under CODER_CONFIG_DIR unless CODER_DERP_SERVER_PRIVATE_KEY_PATH names another file. */
    public static final String FILE_NAME = "derp.key";

    private ServerKeyFile() {
    }

    /**
     * Reads the key at {@code path}, or generates and writes one if the file does not exist.
     *
     * @throws IllegalStateException naming the file when it cannot be read, parsed or created
     */
    public static NodePrivateKey loadOrCreate(Path path) {
        try {
            // An existing file is only read, never rewritten or chmod-ed: it may be a read-only Secret mount.
            if (!Files.exists(path)) {
                PrivateFiles.writeIfAbsent(path, NodePrivateKey.generate().toText() + "\n");
            }
            return NodePrivateKey.parse(Files.readString(path, StandardCharsets.US_ASCII));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("DERP server key file " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a new node key (mode 0600) in the format {@link #loadOrCreate} reads, replacing the file if it exists;
     * {@code switchboard keys generate} uses it to make the key for a Kubernetes Secret.
     */
    public static NodePrivateKey create(Path path) throws IOException {
        NodePrivateKey key = NodePrivateKey.generate();
        PrivateFiles.write(path, key.toText() + "\n");
        return key;
    }
}
