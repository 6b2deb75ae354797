package dev.switchboard.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Certificates the relay makes for itself (a development self-signed leaf) and PEM helpers. */
public final class Certificates {
    private static final Pattern PEM_CERT = Pattern.compile(
            "-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]+)-----END CERTIFICATE-----");

    private Certificates() {
    }

    /** A self-signed ECDSA P-256 server certificate for {@code host} (DNS name or IP literal), valid one year. */
    public static SelfSigned selfSigned(String host) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            X500Name name = new X500Name("CN=" + host);
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(365))), name, keys.getPublic());
            boolean ip = host.matches("[0-9.]+") || host.contains(":");
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, host)));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            return new SelfSigned(sign(builder, "SHA256withECDSA", keys), keys);
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("cannot create a self-signed certificate for " + host, e);
        }
    }

    /** A generated certificate with its key pair. */
    public record SelfSigned(X509Certificate certificate, KeyPair keys) {
    }

    /** Signs {@code builder} with {@code keys}: shared by every certificate the relay makes for itself. */
    public static X509Certificate sign(X509v3CertificateBuilder builder, String algorithm, KeyPair keys)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(algorithm).build(keys.getPrivate())));
    }

    /** {@code sha256-raw:<hex>}: the DERPNode CertName that pins exactly this leaf. */
    public static String sha256RawPin(X509Certificate certificate) {
        try {
            return "sha256-raw:" + HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(X509Certificate certificate) {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    /** Every certificate in a PEM text, in order. */
    public static List<X509Certificate> parsePem(String pem) {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            java.util.ArrayList<X509Certificate> out = new java.util.ArrayList<>();
            Matcher matcher = PEM_CERT.matcher(pem);
            while (matcher.find()) {
                byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
        }
    }
}
