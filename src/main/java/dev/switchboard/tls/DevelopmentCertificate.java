package dev.switchboard.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The self-signed certificate {@link TlsConfigSourceFactory} creates when TLS is on without certificate files. Stock
 * clients cannot verify it through a CA, so the served DERP map pins it: Tailscale's DERPNode {@code CertName} of the
 * form {@code sha256-raw:<hex>} makes `derphttp` accept exactly this leaf (Tailscale's `tailcfg/derpmap.go`).
 */
public final class DevelopmentCertificate {
    private DevelopmentCertificate() {
    }

    /** The {@code sha256-raw:} pin of the generated leaf under {@code configDir}, when one is in use. */
    public static Optional<String> pin(Path configDir) {
        Path cert = configDir.resolve("tls").resolve(TlsConfigSourceFactory.SELF_SIGNED_CERT);
        if (!Files.exists(cert)) {
            return Optional.empty();
        }
        try {
            List<java.security.cert.X509Certificate> chain = Certificates.parsePem(Files.readString(cert));
            return chain.isEmpty() ? Optional.empty() : Optional.of(Certificates.sha256RawPin(chain.get(0)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the development certificate " + cert, e);
        }
    }
}
