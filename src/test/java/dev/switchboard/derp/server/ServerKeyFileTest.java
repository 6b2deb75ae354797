package dev.switchboard.derp.server;

import dev.switchboard.derp.NodePrivateKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerKeyFileTest {

    @Test
    void createsAKeyWithMode0600AndKeepsItAcrossRestarts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("nested/derp.key");
        NodePrivateKey first = ServerKeyFile.loadOrCreate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(Files.readString(file).startsWith("privkey:"));
        assertEquals(first.publicKey(), ServerKeyFile.loadOrCreate(file).publicKey());
    }

    @Test
    void aCorruptKeyFileFailsNamingTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("derp.key");
        Files.writeString(file, "privkey:nothex");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ServerKeyFile.loadOrCreate(file));
        assertTrue(e.getMessage().contains(file.toString()));
    }

    /**
     * Laid out as kubelet mounts a Secret: {@code derp.key} a symlink into a timestamped directory, the file 0400, the
     * directory read-only. Loading must only read it — a rewrite would replace the symlink or fail on the mount.
     */
    @Test
    void aReadOnlySecretMountedKeyIsOnlyRead(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectory(dir.resolve("..2026_12_02"));
        Path real = data.resolve("derp.key");
        NodePrivateKey written = ServerKeyFile.create(real);
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("r--------"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("r-x------"));
        Path link = Files.createSymbolicLink(dir.resolve("derp.key"), dir.relativize(real));
        var modified = Files.getLastModifiedTime(real);
        try {
            assertEquals(written.publicKey(), ServerKeyFile.loadOrCreate(link).publicKey());
            assertTrue(Files.isSymbolicLink(link), "the mount's symlink was replaced");
            assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(real)));
            assertEquals(modified, Files.getLastModifiedTime(real));
        } finally {
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
