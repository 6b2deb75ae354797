package dev.switchboard.config;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The option registry is the one truth: README table, @ConfigMapping and validation must all agree with it. */
class ConfigOptionsTest {

    @Test
    void readmeConfigurationTableIsTheRegistry() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<String> rows = readme.lines().filter(l -> l.startsWith("| `CODER_")).toList();
        List<String> expected = ConfigOptions.markdownTable().lines().filter(l -> l.startsWith("| `CODER_")).toList();
        assertEquals(expected, rows, "regenerate the README table from ConfigOptions.markdownTable()");
    }

    @Test
    void registryAndConfigMappingNameTheSameProperties() {
        Set<String> mapped = new TreeSet<>();
        walk(SwitchboardConfig.class, "coder", mapped);
        Set<String> registered = ConfigOptions.ALL.stream().map(ConfigOption::property)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(mapped, registered);
    }

    @Test
    void registryAndConfigMappingHaveTheSameDefaults() {
        Map<String, String> mapped = new TreeMap<>();
        walkDefaults(SwitchboardConfig.class, "coder", mapped);
        Map<String, String> registered = new TreeMap<>();
        for (ConfigOption option : ConfigOptions.ALL) {
            // A default written as prose (`…`, ~) documents a derived value the mapping cannot hold as a constant.
            boolean prose = option.defaultValue() != null
                    && (option.defaultValue().contains("`") || option.defaultValue().contains("~"));
            if (!prose) {
                registered.put(option.property(), option.defaultValue());
            }
            if (prose) {
                mapped.remove(option.property());
            }
        }
        assertEquals(registered, mapped);
    }

    @Test
    void registryNamesMatchTheirEnvironmentVariables() {
        for (ConfigOption option : ConfigOptions.ALL) {
            String fromProperty = option.property().toUpperCase().replace('.', '_').replace('-', '_');
            assertEquals(option.env(), fromProperty);
        }
    }

    @Test
    void badValuesFailWithOneLineNamingVariableValueAndExpectation() {
        assertEquals("CODER_DERP_SERVER_ENABLE=maybe is invalid: expected true or false", problem("CODER_DERP_SERVER_ENABLE", "maybe"));
        assertEquals("CODER_DERP_CONFIG_REFRESH=1.5h is invalid: expected a duration such as 15s, 5m or 1h30m",
                problem("CODER_DERP_CONFIG_REFRESH", "1.5h"));
        assertEquals("CODER_HTTP_ADDRESS=localhost is invalid: expected host:port, e.g. 127.0.0.1:3000, :3000 or [::]:3000",
                problem("CODER_HTTP_ADDRESS", "localhost"));
        assertEquals("CODER_DERP_SERVER_REGION_ID=-1 is invalid: expected a positive integer",
                problem("CODER_DERP_SERVER_REGION_ID", "-1"));
        assertEquals("CODER_ACCESS_URL=coder.example.com is invalid: expected an http:// or https:// URL with a host",
                problem("CODER_ACCESS_URL", "coder.example.com"));
        assertEquals("CODER_TLS_MIN_VERSION=ssl3 is invalid: expected tls10, tls11, tls12, tls13",
                problem("CODER_TLS_MIN_VERSION", "ssl3"));
        assertEquals("CODER_STUN_LISTEN_ADDRESSES=:3478,,x is invalid: expected a comma-separated list of host:port, or disable",
                problem("CODER_STUN_LISTEN_ADDRESSES", ":3478,,x"));
        for (String bad : List.of("1024", "2g", "-1", "1073741825")) {
            assertEquals("CODER_STUN_RECEIVE_BUFFER=" + bad + " is invalid: expected 0 or a size in bytes from 4096 to "
                    + "1073741824", problem("CODER_STUN_RECEIVE_BUFFER", bad));
        }
        ConfigOptions.named("CODER_STUN_RECEIVE_BUFFER").validate("0");
        for (ConfigOption option : ConfigOptions.ALL) {
            if (option.defaultValue() != null && !option.defaultValue().contains("`") && !option.defaultValue().contains("~")) {
                option.validate(option.defaultValue());
            }
        }
    }

    @Test
    void aMalformedMeshKeyIsNeverEchoed() {
        String almostAKey = "ab".repeat(31) + "a";
        String message = problem("CODER_DERP_SERVER_MESH_KEY", almostAKey);
        assertEquals("CODER_DERP_SERVER_MESH_KEY=<redacted, 63 characters> is invalid: expected exactly 64 hex digits",
                message);
    }

    @Test
    void goAndIsoDurationsParse() {
        assertEquals(java.time.Duration.ofMinutes(90), ConfigOptions.parseDuration("1h30m"));
        assertEquals(java.time.Duration.ofMillis(300), ConfigOptions.parseDuration("300ms"));
        assertEquals(java.time.Duration.ofSeconds(15), ConfigOptions.parseDuration("PT15S"));
        assertEquals(null, ConfigOptions.parseDuration("10"));
    }

    private static String problem(String env, String value) {
        ConfigOption option = ConfigOptions.ALL.stream().filter(o -> o.env().equals(env)).findFirst().orElseThrow();
        return assertThrows(ConfigException.class, () -> option.validate(value)).getMessage();
    }

    private static void walk(Class<?> type, String prefix, Set<String> out) {
        for (Method method : type.getDeclaredMethods()) {
            if (method.isDefault() || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            WithName name = method.getAnnotation(WithName.class);
            String segment = name != null ? name.value() : kebab(method.getName());
            Class<?> returned = method.getReturnType();
            if (returned.isInterface() && returned.getName().startsWith("dev.switchboard.config.")) {
                walk(returned, prefix + "." + segment, out);
            } else {
                out.add(prefix + "." + segment);
            }
        }
    }

    /** Property → its {@code @WithDefault} (null when none) over the whole mapping. */
    private static void walkDefaults(Class<?> type, String prefix, Map<String, String> out) {
        for (Method method : type.getDeclaredMethods()) {
            if (method.isDefault() || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            WithName name = method.getAnnotation(WithName.class);
            String property = prefix + "." + (name != null ? name.value() : kebab(method.getName()));
            Class<?> returned = method.getReturnType();
            if (returned.isInterface() && returned.getName().startsWith("dev.switchboard.config.")) {
                walkDefaults(returned, property, out);
            } else {
                WithDefault withDefault = method.getAnnotation(WithDefault.class);
                out.put(property, withDefault == null ? null : withDefault.value());
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
