package dev.switchboard.config;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PublicListenerTest {
    private static final Duration IDLE = Duration.ofSeconds(90);

    @Test
    void wildcardBindsAreReachedOnLoopback() {
        assertEquals("127.0.0.1", PublicListener.loopbackHost("0.0.0.0"));
        assertEquals("127.0.0.1", PublicListener.loopbackHost(""));
        assertEquals("::1", PublicListener.loopbackHost("::"));
        assertEquals("::1", PublicListener.loopbackHost("[::]"));
        assertEquals("10.0.0.7", PublicListener.loopbackHost("10.0.0.7"));
        assertEquals("fd00::7", PublicListener.loopbackHost("fd00::7"));
    }

    @Test
    void accessUrlDefaultsToTheLoopbackUrlOfTheConfiguredPort() {
        assertEquals(URI.create("http://127.0.0.1:3000"), new PublicListener("0.0.0.0", 3000, IDLE, Optional.empty()).accessUrl());
        assertEquals(URI.create("http://[::1]:8080"), new PublicListener("::", 8080, IDLE, Optional.empty()).accessUrl());
        assertEquals(URI.create("https://coder.example.com"),
                new PublicListener("0.0.0.0", 3000, IDLE, Optional.of(" https://coder.example.com ")).accessUrl());
    }

    @Test
    void invalidAccessUrlFailsNamingTheVariable() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new PublicListener("127.0.0.1", 3000, IDLE, Optional.of("coder.example.com")));
        assertTrue(e.getMessage().startsWith("CODER_ACCESS_URL=coder.example.com is invalid"), e.getMessage());
    }
}
