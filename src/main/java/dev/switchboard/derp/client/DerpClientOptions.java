package dev.switchboard.derp.client;

import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodePrivateKey;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * How a {@link DerpClient} connects.
 *
 * @param url            {@code http(s)://host[:port]/derp}
 * @param privateKey     the client's node key
 * @param meshKey        32-byte mesh key to present, if this is a mesh peer or watcher
 * @param webSocket      use DERP over WebSocket (subprotocol {@code derp}) instead of {@code Upgrade: DERP}
 * @param serverKey      the server's key if known in advance; enables fast start over {@code Upgrade: DERP}
 * @param trustAll       accept any TLS certificate (tests and self-signed development servers)
 * @param connectTimeout budget for TCP connect, upgrade and handshake
 * @param idealNode      value of the {@code Ideal-Node} header, if the client is not on its region's first node
 * @param trustPem       PEM file of certificates to trust instead of the JDK's default trust store
 * @param certName       the name the relay's certificate carries when it is not the URL's host (the map's CertName,
 *                       while the URL dials the node's IP), or a {@code sha256-raw:} pin of that certificate
 */
public record DerpClientOptions(URI url, NodePrivateKey privateKey, Optional<byte[]> meshKey, boolean webSocket,
                                Optional<NodeKey> serverKey, boolean trustAll, Duration connectTimeout,
                                Optional<String> idealNode, Optional<java.nio.file.Path> trustPem,
                                Optional<CertName> certName) {
    public static DerpClientOptions of(URI url, NodePrivateKey privateKey) {
        return new DerpClientOptions(url, privateKey, Optional.empty(), false, Optional.empty(), false,
                Duration.ofSeconds(10), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public DerpClientOptions withMeshKey(byte[] key) {
        return new DerpClientOptions(url, privateKey, Optional.of(key.clone()), webSocket, serverKey, trustAll,
                connectTimeout, idealNode, trustPem, certName);
    }

    public DerpClientOptions withWebSocket(boolean useWebSocket) {
        return new DerpClientOptions(url, privateKey, meshKey, useWebSocket, serverKey, trustAll, connectTimeout,
                idealNode, trustPem, certName);
    }

    /** Fast start: the request head and ClientInfo go out in one write, no 101 is awaited. */
    public DerpClientOptions withFastStart(NodeKey knownServerKey) {
        return new DerpClientOptions(url, privateKey, meshKey, webSocket, Optional.of(knownServerKey), trustAll,
                connectTimeout, idealNode, trustPem, certName);
    }

    public DerpClientOptions withTrustAll(boolean trust) {
        return new DerpClientOptions(url, privateKey, meshKey, webSocket, serverKey, trust, connectTimeout, idealNode,
                trustPem, certName);
    }

    public DerpClientOptions withIdealNode(String node) {
        return new DerpClientOptions(url, privateKey, meshKey, webSocket, serverKey, trustAll, connectTimeout,
                Optional.of(node), trustPem, certName);
    }

    /** Trusts the certificates in a PEM file (e.g. a development server's self-signed certificate). */
    public DerpClientOptions withTrustPem(java.nio.file.Path pem) {
        return new DerpClientOptions(url, privateKey, meshKey, webSocket, serverKey, trustAll, connectTimeout,
                idealNode, Optional.of(pem), certName);
    }

    /** Verifies the relay's certificate against {@code name} (or its pin) instead of the URL's host. */
    public DerpClientOptions withCertName(CertName name) {
        return new DerpClientOptions(url, privateKey, meshKey, webSocket, serverKey, trustAll, connectTimeout,
                idealNode, trustPem, Optional.of(name));
    }

    /** The name TLS sends as SNI and verifies: the CertName when it is a name, else the URL's host. */
    String serverName() {
        return certName.flatMap(CertName::serverName).orElse(url.getHost());
    }

    boolean tls() {
        return "https".equalsIgnoreCase(url.getScheme()) || "wss".equalsIgnoreCase(url.getScheme());
    }

    int port() {
        return url.getPort() > 0 ? url.getPort() : tls() ? 443 : 80;
    }
}
