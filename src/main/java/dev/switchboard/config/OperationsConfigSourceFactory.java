package dev.switchboard.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs before the configuration is used: validates every {@code CODER_*} value (one line naming the variable, the
 * value and what is expected — SmallRye would name the dotted property, or read {@code maybe} as false), then maps
 * the operations settings onto Quarkus: management listener and console log format. CODER_SHUTDOWN_GRACE_PERIOD is
 * not mapped to {@code quarkus.shutdown.delay}: Quarkus' ShutdownRecorder sleeps that delay in full even when nothing
 * is connected; ops.GracefulShutdown waits instead, and stops waiting once the server is idle.
 */
public class OperationsConfigSourceFactory implements ConfigSourceFactory {
    private static final int ORDINAL = 275;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        for (ConfigOption option : ConfigOptions.ALL) {
            String raw = raw(context, option.property());
            if (raw != null) {
                option.validate(raw);
            }
        }
        Map<String, String> properties = new HashMap<>();
        String management = raw(context, "coder.prometheus.address");
        if (management != null) {
            HostPort address = HostPort.parse("CODER_PROMETHEUS_ADDRESS", management);
            properties.put("quarkus.management.host", address.host().isEmpty() ? "0.0.0.0" : address.host());
            properties.put("quarkus.management.port", Integer.toString(address.port()));
        }
        String logFormat = raw(context, "coder.log.format");
        if (logFormat != null) {
            properties.put("quarkus.log.console.json.enabled", Boolean.toString(logFormat.strip().equalsIgnoreCase("json")));
        }
        return properties.isEmpty() ? List.of()
                : List.of(new PropertiesConfigSource(properties, "coder-operations", ORDINAL));
    }

    private static String raw(ConfigSourceContext context, String property) {
        ConfigValue value = context.getValue(property);
        return value == null ? null : value.getValue();
    }
}
