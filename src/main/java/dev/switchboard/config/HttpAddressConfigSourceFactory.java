package dev.switchboard.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.List;
import java.util.Map;

/**
 * Maps Coder's {@code CODER_HTTP_ADDRESS} ({@code host:port}, {@code :port} or {@code [v6]:port}) onto Quarkus'
 * {@code quarkus.http.host} and {@code quarkus.http.port}, below explicit {@code QUARKUS_HTTP_*}
 * variables; unset, its default, so the listener address has one source.
 */
public class HttpAddressConfigSourceFactory implements ConfigSourceFactory {
    static final String VARIABLE = "CODER_HTTP_ADDRESS";
    private static final int ORDINAL = 275;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue value = context.getValue("coder.http-address");
        HostPort address = HostPort.parse(VARIABLE, value == null || value.getValue() == null
                ? ConfigDefaults.HTTP_ADDRESS : value.getValue());
        return List.of(new PropertiesConfigSource(Map.of(
                "quarkus.http.host", address.host().isEmpty() ? "0.0.0.0" : address.host(),
                "quarkus.http.port", Integer.toString(address.port())), "coder-http-address", ORDINAL));
    }
}
