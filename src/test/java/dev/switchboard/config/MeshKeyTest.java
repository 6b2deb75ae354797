package dev.switchboard.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeshKeyTest {
    private static final String HEX = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @Test
    void fromTheVariableOrTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mesh.key");
        Files.writeString(file, HEX.toUpperCase() + "\n");
        MeshKey fromFile = MeshKey.from(Optional.empty(), Optional.of(file));
        MeshKey fromValue = MeshKey.from(Optional.of(HEX), Optional.empty());
        assertArrayEquals(fromValue.bytes().orElseThrow(), fromFile.bytes().orElseThrow());
        assertTrue(fromFile.matches(HexFormat.of().parseHex(HEX)));
        assertFalse(fromFile.matches(new byte[32]));
        assertFalse(fromFile.matches(null));
        assertEquals("MeshKey[redacted]", fromFile.toString());
    }

    @Test
    void noneMatchesNothing() {
        MeshKey none = MeshKey.from(Optional.empty(), Optional.empty());
        assertFalse(none.isConfigured());
        assertFalse(none.matches(new byte[32]));
        assertTrue(none.bytes().isEmpty());
    }

    @Test
    void badSettingsFailNamingTheVariableButNeverTheValue(@TempDir Path dir) {
        String secret = HEX.substring(2);
        String malformed = assertThrows(ConfigException.class,
                () -> MeshKey.from(Optional.of(secret), Optional.empty())).getMessage();
        assertTrue(malformed.startsWith("CODER_DERP_SERVER_MESH_KEY="), malformed);
        assertFalse(malformed.contains(secret), malformed);
        String both = assertThrows(ConfigException.class,
                () -> MeshKey.from(Optional.of(HEX), Optional.of(dir.resolve("k")))).getMessage();
        assertTrue(both.contains("not both") && !both.contains(HEX), both);
        String missing = assertThrows(ConfigException.class,
                () -> MeshKey.from(Optional.empty(), Optional.of(dir.resolve("absent")))).getMessage();
        assertTrue(missing.startsWith("CODER_DERP_SERVER_MESH_KEY_FILE=" + dir.resolve("absent")), missing);
    }
}
