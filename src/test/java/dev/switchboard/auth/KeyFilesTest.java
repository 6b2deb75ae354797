package dev.switchboard.auth;

import dev.switchboard.tls.Certificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The token signing key file: both halves stored, older private-only files still read, mismatches refused. */
class KeyFilesTest {
    @TempDir
    Path dir;

    @Test
    void aNewFileHoldsBothHalvesAndReadsBackTheSamePair() throws Exception {
        Path file = dir.resolve("signing.pem");
        KeyPair created = KeyFiles.loadOrCreateSigningKey(file);
        String pem = Files.readString(file);
        assertTrue(pem.contains("BEGIN PRIVATE KEY") && pem.contains("BEGIN PUBLIC KEY"), pem);
        KeyPair read = KeyFiles.loadOrCreateSigningKey(file);
        assertArrayEquals(created.getPublic().getEncoded(), read.getPublic().getEncoded());
        assertArrayEquals(created.getPrivate().getEncoded(), read.getPrivate().getEncoded());
    }

    /**
     * Processes that find no key at the same moment (the server starting beside {@code token create}, two
     * {@code token create}s run in the background) all end with the one key on disk: before, each could sign with
     * its own key while the last writer's replaced the file, so the server refused the others' tokens as invalid.
     */
    @Test
    void racingCreatorsAllGetTheKeyOnDisk() throws Exception {
        Path file = dir.resolve("raced.pem");
        int racers = 8;
        CyclicBarrier start = new CyclicBarrier(racers);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            List<Future<KeyPair>> results = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return KeyFiles.loadOrCreateSigningKey(file);
                }));
            }
            byte[] onDisk = KeyFiles.loadOrCreateSigningKey(file).getPublic().getEncoded();
            for (Future<KeyPair> result : results) {
                assertArrayEquals(onDisk, result.get(30, TimeUnit.SECONDS).getPublic().getEncoded());
            }
        } finally {
            pool.shutdownNow();
        }
        try (var left = Files.list(dir)) {
            assertEquals(List.of(file), left.toList(), "no temporary files are left behind");
        }
    }

    @Test
    void aPrivateOnlyFileGetsItsPublicHalfComputed() throws Exception {
        KeyPair pair = p256();
        Path file = dir.resolve("old.pem");
        Files.writeString(file, Certificates.pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        assertArrayEquals(pair.getPublic().getEncoded(), KeyFiles.loadOrCreateSigningKey(file).getPublic().getEncoded());
    }

    @Test
    void halvesOfDifferentKeysAreRefused() throws Exception {
        Path file = dir.resolve("mixed.pem");
        Files.writeString(file, Certificates.pem("PRIVATE KEY", p256().getPrivate().getEncoded())
                + KeyFiles.publicKeyPem(p256().getPublic()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KeyFiles.loadOrCreateSigningKey(file));
        assertEquals("token signing key " + file + ": the public key in the file does not match its private key",
                e.getMessage());
    }

    /**
     * Laid out as kubelet mounts a Secret: the key a symlink into a timestamped directory, the file 0400, the directory
     * read-only. Loading must only read it — a rewrite would replace the symlink or fail on the mount.
     */
    @Test
    void aReadOnlySecretMountedKeyIsOnlyRead() throws Exception {
        Path data = Files.createDirectory(dir.resolve("..2026_12_02"));
        Path real = data.resolve("token-signing-key.pem");
        KeyFiles.createSigningKey(real);
        String pem = Files.readString(real);
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("r--------"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("r-x------"));
        Path link = Files.createSymbolicLink(dir.resolve("token-signing-key.pem"), dir.relativize(real));
        var modified = Files.getLastModifiedTime(real);
        try {
            KeyPair read = KeyFiles.loadOrCreateSigningKey(link);
            assertTrue(pem.contains(KeyFiles.publicKeyPem(read.getPublic())), pem);
            assertTrue(Files.isSymbolicLink(link), "the mount's symlink was replaced");
            assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(real)));
            assertEquals(modified, Files.getLastModifiedTime(real));
            assertEquals(pem, Files.readString(real));
        } finally {
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static KeyPair p256() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }
}
