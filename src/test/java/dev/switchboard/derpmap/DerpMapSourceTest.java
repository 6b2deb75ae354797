package dev.switchboard.derpmap;

import dev.switchboard.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DerpMapSourceTest {

    @Test
    void pathAndUrlTogetherAreRejectedWithCodersMessage() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> DerpMapSource.of(Optional.of(Path.of("/x.json")), Optional.of("https://example.com/m.json")));
        assertTrue(e.getMessage().contains("a remote URL or local path must be specified, not both"));
    }

    @Test
    void fileSourceReadsAndNoneIsEmpty(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.json");
        Files.writeString(file, DerpMapBuilderTest.MINIMAL_FILE);
        DerpMapSource source = DerpMapSource.of(Optional.of(file), Optional.empty());
        assertInstanceOf(DerpMapSource.File.class, source);
        assertEquals(DerpMapBuilderTest.MINIMAL_FILE, source.load().orElseThrow());
        assertTrue(DerpMapSource.of(Optional.empty(), Optional.empty()).load().isEmpty());
        assertThrows(ConfigException.class, () -> DerpMapSource.of(Optional.empty(), Optional.of("ftp://x")));
    }

    @Test
    void stunAddressListParsesAndDisables() {
        assertEquals(java.util.List.of("a:1", "b:2"), DerpMapService.stunAddresses("a:1, b:2"));
        assertTrue(DerpMapService.stunAddresses("disable").isEmpty());
        assertThrows(ConfigException.class, () -> DerpMapService.stunAddresses("nohostport"));
    }
}
