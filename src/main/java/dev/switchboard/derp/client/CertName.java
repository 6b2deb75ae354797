package dev.switchboard.derp.client;

import javax.net.ssl.X509TrustManager;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * A DERP node's {@code CertName} (tailscale {@code tailcfg/derpmap.go}): the name its certificate must carry when it
 * differs from the host dialled, or {@code sha256-raw:<hex>}, a pin of the leaf certificate's DER encoding for relays
 * that serve a self-signed certificate (tailscale {@code net/tlsdial}, {@code SetConfigExpectedCertHash}): then only
 * that certificate is accepted, whatever names it carries and whoever signed it.
 */
public record CertName(String value) {
    private static final String PIN_PREFIX = "sha256-raw:";

    public CertName {
        if (value.toLowerCase(Locale.ROOT).startsWith(PIN_PREFIX)) {
            String hex = value.substring(PIN_PREFIX.length());
            if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new IllegalArgumentException("CertName " + value + ": sha256-raw: needs 64 hex digits");
            }
        } else if (value.isBlank()) {
            throw new IllegalArgumentException("CertName must not be empty");
        }
    }

    /**
     * A map node's CertName when TLS must use it: set and different from the HostName (tailscale
     * {@code derphttp_client.go tlsServerName}: CertName if set, else HostName).
     */
    public static Optional<CertName> forNode(String certName, String hostName) {
        return certName == null || certName.isEmpty() || certName.equals(hostName)
                ? Optional.empty() : Optional.of(new CertName(certName));
    }

    /** The name TLS verifies (and sends as SNI), unless this is a pin. */
    public Optional<String> serverName() {
        return pin().isPresent() ? Optional.empty() : Optional.of(value);
    }

    /** The expected SHA-256 of the leaf certificate's DER encoding, if this is a pin. */
    public Optional<byte[]> pin() {
        return value.toLowerCase(Locale.ROOT).startsWith(PIN_PREFIX)
                ? Optional.of(HexFormat.of().parseHex(value.substring(PIN_PREFIX.length()))) : Optional.empty();
    }

    /** Accepts exactly the pinned leaf certificate; compares digests in constant time. */
    X509TrustManager pinnedTrustManager() {
        byte[] expected = pin().orElseThrow();
        return new X509TrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                if (chain == null || chain.length == 0 || !MessageDigest.isEqual(expected, sha256(chain[0]))) {
                    throw new CertificateException("the relay's certificate does not match " + value);
                }
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("a DERP client does not accept client certificates");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
    }

    private static byte[] sha256(X509Certificate certificate) throws CertificateEncodingException {
        try {
            return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
