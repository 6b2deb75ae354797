package dev.switchboard.tls;

import dev.switchboard.config.ConfigDefaults;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.HostPort;
import dev.switchboard.config.PrivateFiles;
import dev.switchboard.config.PublicListener;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maps Coder's TLS settings onto the Quarkus HTTPS listener. With {@code CODER_TLS_ENABLE=true} the listener serves
 * the configured PEM chains or, without cert files, a self-signed development certificate for the access-URL host
 * kept in {@code <CODER_CONFIG_DIR>/tls/}. (The DERP meta certificate is appended by the DERP transport's {@code MetaCertificateKeyManager}.)
 */
public class TlsConfigSourceFactory implements ConfigSourceFactory {
    static final String SELF_SIGNED_CERT = "self-signed.crt";
    static final String SELF_SIGNED_KEY = "self-signed.key";
    private static final int ORDINAL = 275;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!Boolean.parseBoolean(value(context, "coder.tls.enable").orElse("false"))) {
            return List.of();
        }
        HostPort tls = HostPort.parse("CODER_TLS_ADDRESS", value(context, "coder.tls.address").orElse(ConfigDefaults.TLS_ADDRESS));
        HostPort http = HostPort.parse("CODER_HTTP_ADDRESS", value(context, "coder.http-address").orElse(ConfigDefaults.HTTP_ADDRESS));
        if (!tls.host().equals(http.host())) {
            throw new ConfigException("CODER_TLS_ADDRESS", tls.host() + ":" + tls.port(),
                    "the same host as CODER_HTTP_ADDRESS (" + http.host() + "): both listeners share one bind address");
        }
        Path dir = configDir(context).resolve("tls");
        List<Path> certs = paths(value(context, "coder.tls.cert-file"));
        List<Path> keys = paths(value(context, "coder.tls.key-file"));
        if (certs.size() != keys.size()) {
            throw new ConfigException("CODER_TLS_CERT_FILE", String.join(",", certs.stream().map(Path::toString).toList()),
                    "as many files as CODER_TLS_KEY_FILE");
        }
        if (certs.isEmpty()) {
            certs = List.of(dir.resolve(SELF_SIGNED_CERT));
            keys = List.of(dir.resolve(SELF_SIGNED_KEY));
            ensureSelfSigned(dir, accessHost(context, tls));
        }
        List<String> chains = checkedChains(certs);
        Map<String, String> properties = new HashMap<>();
        properties.put("quarkus.http.ssl-port", Integer.toString(tls.port()));
        properties.put("quarkus.http.ssl.certificate.files", String.join(",", chains));
        properties.put("quarkus.http.ssl.certificate.key-files",
                String.join(",", keys.stream().map(p -> p.toAbsolutePath().toString()).toList()));
        properties.put("quarkus.http.ssl.protocols", protocols(value(context, "coder.tls.min-version").orElse("tls12")));
        properties.put("quarkus.http.insecure-requests", "enabled");
        return List.of(new PropertiesConfigSource(properties, "coder-tls", ORDINAL));
    }

    static String protocols(String minVersion) {
        return switch (minVersion.strip().toLowerCase()) {
            case "tls10" -> "TLSv1,TLSv1.1,TLSv1.2,TLSv1.3";
            case "tls11" -> "TLSv1.1,TLSv1.2,TLSv1.3";
            case "tls12" -> "TLSv1.2,TLSv1.3";
            case "tls13" -> "TLSv1.3";
            default -> throw new ConfigException("CODER_TLS_MIN_VERSION", minVersion, "tls10, tls11, tls12 or tls13");
        };
    }

    /** Fails start-up naming the file when a chain cannot be read as PEM certificates. */
    private static List<String> checkedChains(List<Path> certs) {
        List<String> out = new ArrayList<>();
        for (Path cert : certs) {
            try {
                if (Certificates.parsePem(Files.readString(cert)).isEmpty()) {
                    throw new ConfigException("CODER_TLS_CERT_FILE", cert.toString(), "a PEM certificate chain");
                }
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("CODER_TLS_CERT_FILE", cert.toString(), "a readable PEM certificate chain");
            }
            out.add(cert.toAbsolutePath().toString());
        }
        return out;
    }

    private static void ensureSelfSigned(Path dir, String host) {
        Path cert = dir.resolve(SELF_SIGNED_CERT);
        Path key = dir.resolve(SELF_SIGNED_KEY);
        if (Files.exists(cert) && Files.exists(key)) {
            return;
        }
        Certificates.SelfSigned generated = Certificates.selfSigned(host);
        try {
            Files.createDirectories(dir);
            Files.writeString(cert, Certificates.pem(generated.certificate()));
            PrivateFiles.write(key, Certificates.pem("PRIVATE KEY", generated.keys().getPrivate().getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the self-signed certificate to " + dir, e);
        }
    }

    private static String accessHost(ConfigSourceContext context, HostPort tls) {
        return value(context, "coder.access-url").map(u -> URI.create(u).getHost())
                .orElse(PublicListener.loopbackHost(tls.host()));
    }

    static Path configDir(ConfigSourceContext context) {
        return value(context, "coder.config-dir").map(Path::of)
                .orElse(Path.of(System.getProperty("user.home"), ".config", "switchboard"));
    }

    private static List<Path> paths(Optional<String> list) {
        return list.map(v -> Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(Path::of)
                .toList()).orElse(List.of());
    }

    private static Optional<String> value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null || value.getValue().isBlank()
                ? Optional.empty() : Optional.of(value.getValue());
    }
}
