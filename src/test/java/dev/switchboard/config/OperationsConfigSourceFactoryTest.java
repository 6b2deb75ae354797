package dev.switchboard.config;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CODER_* operations settings become Quarkus settings; a bad value fails naming the variable. */
class OperationsConfigSourceFactoryTest {

    private static SmallRyeConfig config(Map<String, String> values) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(values, "test", 300))
                .withSources(new OperationsConfigSourceFactory()).build();
    }

    @Test
    void managementShutdownAndLogFormatAreMapped() {
        SmallRyeConfig config = config(Map.of("coder.prometheus.address", "127.0.0.1:2112",
                "coder.shutdown.grace-period", "20s", "coder.log.format", "json"));
        assertEquals("127.0.0.1", config.getRawValue("quarkus.management.host"));
        assertEquals("2112", config.getRawValue("quarkus.management.port"));
        // Not Quarkus' shutdown delay, which would be slept in full even when idle: GracefulShutdown waits instead.
        assertNull(config.getRawValue("quarkus.shutdown.delay"));
        assertEquals("true", config.getRawValue("quarkus.log.console.json.enabled"));
        assertEquals("false", config(Map.of("coder.log.format", "human"))
                .getRawValue("quarkus.log.console.json.enabled"));
    }

    @Test
    void aBadValueStopsConfigurationWithOneLine() {
        Exception e = assertThrows(Exception.class, () -> config(Map.of("coder.block-direct", "maybe")));
        Throwable cause = e;
        while (!(cause instanceof ConfigException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertEquals("CODER_BLOCK_DIRECT=maybe is invalid: expected true or false", cause.getMessage());
        assertTrue(!cause.getMessage().contains("\n"));
    }
}
