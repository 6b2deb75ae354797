package dev.switchboard.derp.transport;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.tls.Certificates;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.math.BigInteger;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;

/**
 * Serves every certificate chain with derper's meta certificate appended (Tailscale's `derp/derp_server.go` MetaCert, `derp/derphttp/derphttp_client.go`). Done here rather
 * than in the PEM file because Java key stores refuse a chain whose last certificate did not sign the one before.
 */
public final class MetaCertificateKeyManager extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager delegate;
    private final X509Certificate meta;

    /**
     * derper's meta certificate (Tailscale's `derp/derp_server.go` MetaCert): self-signed Ed25519, serial 2 (the protocol version),
     * CN {@code derpkey<64 hex>}, valid ±30 days. Appended to the chain, it lets TLS 1.3 clients learn the server key
     * during the handshake and use fast start.
     */
    public static X509Certificate certificate(NodeKey serverKey) {
        try {
            KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            // 71 characters: over RFC 5280's 64-character CN bound, so built directly, as Go encodes it.
            X500Name name = new X500Name(new RDN[]{new RDN(BCStyle.CN,
                    new DERPrintableString("derpkey" + serverKey.toHex()))});
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(2),
                    Date.from(now.minus(Duration.ofDays(30))), Date.from(now.plus(Duration.ofDays(30))), name,
                    keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            return Certificates.sign(builder, "Ed25519", keys);
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("cannot create the DERP meta certificate", e);
        }
    }

    public MetaCertificateKeyManager(X509ExtendedKeyManager delegate, X509Certificate meta) {
        this.delegate = delegate;
        this.meta = meta;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        X509Certificate[] chain = delegate.getCertificateChain(alias);
        if (chain == null) {
            return null;
        }
        X509Certificate[] extended = Arrays.copyOf(chain, chain.length + 1);
        extended[chain.length] = meta;
        return extended;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return delegate.chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return delegate.chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return delegate.chooseEngineClientAlias(keyType, issuers, engine);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return delegate.getPrivateKey(alias);
    }
}
