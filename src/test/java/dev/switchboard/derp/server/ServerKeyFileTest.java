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
}
