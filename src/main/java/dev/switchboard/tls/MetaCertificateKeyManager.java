package dev.switchboard.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * Serves every certificate chain with derper's meta certificate appended (Tailscale's `derp/derp_server.go` MetaCert, `derp/derphttp/derphttp_client.go`). Done here rather
 * than in the PEM file because Java key stores refuse a chain whose last certificate did not sign the one before.
 */
public final class MetaCertificateKeyManager extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager delegate;
    private final X509Certificate meta;

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
