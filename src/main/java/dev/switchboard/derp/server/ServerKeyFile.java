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
    private ServerKeyFile() {
    }

    /**
     * Reads the key at {@code path}, or generates and writes one if the file does not exist.
     *
     * @throws IllegalStateException naming the file when it cannot be read, parsed or created
     */
    public static NodePrivateKey loadOrCreate(Path path) {
        try {
            if (Files.exists(path)) {
                return NodePrivateKey.parse(Files.readString(path, StandardCharsets.US_ASCII));
            }
            NodePrivateKey key = NodePrivateKey.generate();
            PrivateFiles.write(path, key.toText() + "\n");
            return key;
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("DERP server key file " + path + ": " + e.getMessage(), e);
        }
    }
}
