package dev.switchboard.auth;

import dev.switchboard.config.PrivateFiles;
import dev.switchboard.tls.Certificates;
import org.bouncycastle.asn1.sec.SECNamedCurves;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** PEM key files: the generated ES256 signing key (0600) and public keys for verification. */
public final class KeyFiles {
    private KeyFiles() {
    }

    /**
     * Reads a P-256 signing key pair, creating one (mode 0600) if the file does not exist. The file holds the PKCS#8
     * private key and, since the public half cannot be derived with the JDK alone, its X.509 public key; files
     * written before that carry only the private key, whose public half is then computed with BouncyCastle.
     */
    public static KeyPair loadOrCreateSigningKey(Path file) {
        try {
            // An existing file is only read, never rewritten or chmod-ed: it may be a read-only Secret mount.
            if (!Files.exists(file)) {
                PrivateFiles.writeIfAbsent(file, newSigningKeyPem());
            }
            String pem = Files.readString(file);
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der(pem, "PRIVATE KEY")));
            PublicKey publicKey = pem.contains("-----BEGIN PUBLIC KEY-----")
                    ? readPublicKey(pem) : publicOf((ECPrivateKey) key);
            return matchedPair(publicKey, key);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("token signing key " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a new P-256 signing key pair (mode 0600) in the format {@link #loadOrCreateSigningKey} reads, replacing
     * the file if it exists; {@code switchboard keys generate} uses it to make the key for a Kubernetes Secret.
     */
    public static void createSigningKey(Path file) throws IOException, GeneralSecurityException {
        PrivateFiles.write(file, newSigningKeyPem());
    }

    private static String newSigningKeyPem() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair created = generator.generateKeyPair();
        return Certificates.pem("PRIVATE KEY", created.getPrivate().getEncoded()) + publicKeyPem(created.getPublic());
    }

    /** Refuses a file whose two halves do not belong together (edited by hand, or cut and pasted wrongly). */
    private static KeyPair matchedPair(PublicKey publicKey, PrivateKey privateKey) throws GeneralSecurityException {
        byte[] probe = "switchboard signing key check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(privateKey);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(publicKey);
        verifier.update(probe);
        if (!verifier.verify(signature)) {
            throw new GeneralSecurityException("the public key in the file does not match its private key");
        }
        return new KeyPair(publicKey, privateKey);
    }

    /** Reads a PEM {@code PUBLIC KEY} (EC or RSA). */
    public static PublicKey readPublicKey(String pem) throws GeneralSecurityException {
        byte[] der = der(pem, "PUBLIC KEY");
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        }
    }

    public static String publicKeyPem(PublicKey key) {
        return Certificates.pem("PUBLIC KEY", key.getEncoded());
    }

    /** 32 random bytes kept in a 0600 file, created on first use (resume-token HMAC key). */
    public static byte[] loadOrCreateSecret(Path file) {
        try {
            if (!Files.exists(file)) {
                byte[] secret = new byte[32];
                new java.security.SecureRandom().nextBytes(secret);
                PrivateFiles.writeIfAbsent(file, java.util.HexFormat.of().formatHex(secret) + "\n");
            }
            return java.util.HexFormat.of().parseHex(Files.readString(file).strip());
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("secret file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The P-256 public key of a private key: Q = d·G. */
    private static PublicKey publicOf(ECPrivateKey key) throws GeneralSecurityException {
        var q = SECNamedCurves.getByName("secp256r1").getG().multiply(key.getS()).normalize();
        ECPoint point = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, key.getParams()));
    }

    private static byte[] der(String pem, String type) {
        String begin = "-----BEGIN " + type + "-----";
        int start = pem.indexOf(begin);
        int end = pem.indexOf("-----END " + type + "-----");
        if (start < 0 || end < 0) {
            throw new IllegalArgumentException("no PEM " + type + " block");
        }
        return Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), end));
    }
}
