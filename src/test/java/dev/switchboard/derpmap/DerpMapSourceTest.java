package dev.switchboard.derpmap;

import dev.switchboard.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DerpMapSourceTest {

    @Test
    void pathAndUrlTogetherAreRejectedWithCodersMessage() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> DerpMapSource.of(Optional.of(Path.of("/x.json")), Optional.of("https://example.com/m.json")));
        assertEquals("CODER_DERP_CONFIG_PATH=/x.json and CODER_DERP_CONFIG_URL=https://example.com/m.json are both "
                + "set: a remote URL or local path must be specified, not both", e.getMessage());
    }

    @Test
    void aMissingFileNamesTheVariableThePathAndTheReason(@TempDir Path dir) {
        Path missing = dir.resolve("missing.json");
        DerpMapSource source = DerpMapSource.of(Optional.of(missing), Optional.empty());
        ConfigException e = assertThrows(ConfigException.class, () -> source.atStartup(source::load));
        assertEquals("CODER_DERP_CONFIG_PATH=" + missing + " cannot be used: no such file", e.getMessage());
    }

    @Test
    void anInvalidMapNamesTheVariableAndTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{bad\n json");
        DerpMapSource source = DerpMapSource.of(Optional.of(file), Optional.empty());
        ConfigException e = assertThrows(ConfigException.class,
                () -> source.atStartup(() -> DerpMapJson.read(source.load().orElseThrow())));
        assertTrue(e.getMessage().startsWith("CODER_DERP_CONFIG_PATH=" + file
                + " cannot be used: DERP map is not valid JSON: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void anUnreachableUrlSaysSoInsteadOfNull() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/map.json";
        DerpMapSource source = DerpMapSource.of(Optional.empty(), Optional.of(url));
        ConfigException e = assertThrows(ConfigException.class, () -> source.atStartup(source::load));
        assertEquals("CODER_DERP_CONFIG_URL=" + url + " cannot be used: cannot connect to 127.0.0.1:" + port
                + ": connection refused", e.getMessage());
    }

    @Test
    void aUrlAnsweringAnErrorNamesTheStatusAndHidesCredentials() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            DerpMapSource source = DerpMapSource.of(Optional.empty(),
                    Optional.of("http://user:hunter2@127.0.0.1:" + port + "/map.json?token=s3cret"));
            ConfigException e = assertThrows(ConfigException.class, () -> source.atStartup(source::load));
            assertEquals("CODER_DERP_CONFIG_URL=http://user:<redacted>@127.0.0.1:" + port
                    + "/map.json?<redacted> cannot be used: GET answered HTTP 404", e.getMessage());
        } finally {
            server.stop(0);
        }
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
