package dev.switchboard.tls;

import dev.switchboard.derp.ClientInfo;
import dev.switchboard.derp.FrameType;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.Handshake;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.CertName;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.derp.client.DerpMessage;
import dev.switchboard.derp.server.DerpServer;
import dev.switchboard.testing.RawDerpSocket;
import dev.switchboard.testing.TestRelay;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DERP over HTTPS with the generated development certificate and derper's meta certificate (Tailscale's `derp/derp_server.go` MetaCert). */
@QuarkusTest
@TestProfile(TlsRelayTest.TlsEnabled.class)
class TlsRelayTest {
    static final Path CONFIG_DIR = Path.of("target", "tls-test-config");
    static final Path CERT = CONFIG_DIR.resolve("tls").resolve("self-signed.crt");

    public static class TlsEnabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            deleteRecursively(CONFIG_DIR);
            return Map.of("coder.tls.enable", "true", "coder.access-url", "https://localhost",
                    "coder.config-dir", CONFIG_DIR.toAbsolutePath().toString(),
                    "coder.redirect-to-access-url", "true");
        }
    }

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    @TestHTTPResource("/")
    URL http;

    @Inject
    DerpServer server;

    @Inject
    Vertx vertx;

    @Test
    void chainEndsWithTheMetaCertificateAndFastStartWorksOverTls13() throws Exception {
        try (SSLSocket socket = (SSLSocket) trustingTestCertificate().getSocketFactory()
                .createSocket("localhost", https.getPort())) {
            socket.setEnabledProtocols(new String[]{"TLSv1.3"});
            socket.startHandshake();
            var chain = socket.getSession().getPeerCertificates();
            assertEquals(2, chain.length, "leaf and meta certificate");
            X509Certificate meta = (X509Certificate) chain[chain.length - 1];
            assertEquals("CN=derpkey" + server.publicKey().toHex(), meta.getSubjectX500Principal().getName());
            assertEquals(2, meta.getSerialNumber().intValue());
            assertEquals("Ed25519", meta.getSigAlgName());

            NodePrivateKey client = NodePrivateKey.generate();
            socket.getOutputStream().write(Buffer.buffer(RawDerpSocket.upgradeHead("Derp-Fast-Start: 1\r\n"),
                            StandardCharsets.US_ASCII.name())
                    .appendBuffer(Frames.clientInfo(client, server.publicKey(), ClientInfo.regular())).getBytes());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            assertEquals(FrameType.SERVER_KEY.code(), in.readUnsignedByte(), "fast start: no HTTP response");
            in.readFully(new byte[in.readInt()]);
            assertEquals(FrameType.SERVER_INFO.code(), in.readUnsignedByte());
            byte[] info = new byte[in.readInt()];
            in.readFully(info);
            Handshake.openServerInfo(client, server.publicKey(), Buffer.buffer(info));
        }
    }

    @Test
    void derpClientsRelayOverHttpsAndWebSocketTrustingTheTestCertificate() {
        URI url = URI.create("https://localhost:" + https.getPort() + "/derp");
        DerpClient upgraded = TestRelay.await(DerpClient.connect(vertx,
                DerpClientOptions.of(url, NodePrivateKey.generate()).withTrustPem(CERT)));
        DerpClient ws = TestRelay.await(DerpClient.connect(vertx,
                DerpClientOptions.of(url, NodePrivateKey.generate()).withTrustPem(CERT).withWebSocket(true)));
        AtomicReference<String> received = new AtomicReference<>();
        ws.messageHandler(m -> {
            if (m instanceof DerpMessage.ReceivedPacket p) {
                received.set(p.data().toString());
            }
        });
        upgraded.send(ws.publicKey(), Buffer.buffer("over tls"));
        await().until(() -> "over tls".equals(received.get()));
        TestRelay.await(upgraded.close());
        TestRelay.await(ws.close());
    }

    @Test
    void certNameIsVerifiedInsteadOfTheDialledAddressAndAPinAcceptsOnlyItsCertificate() {
        URI byAddress = URI.create("https://127.0.0.1:" + https.getPort() + "/derp");
        String pin = DevelopmentCertificate.pin(CONFIG_DIR).orElseThrow();
        for (boolean webSocket : new boolean[]{false, true}) {
            DerpClientOptions options = DerpClientOptions.of(byAddress, NodePrivateKey.generate()).withWebSocket(webSocket);
            TestRelay.await(TestRelay.await(DerpClient.connect(vertx,
                    options.withTrustPem(CERT).withCertName(new CertName("localhost")))).close());
            TestRelay.await(TestRelay.await(DerpClient.connect(vertx, options.withCertName(new CertName(pin)))).close());
            assertTrue(DerpClient.connect(vertx, options.withTrustPem(CERT).withCertName(new CertName("elsewhere.example")))
                    .toCompletionStage().toCompletableFuture().handle((c, e) -> e != null).join(), "wrong name accepted");
            assertTrue(DerpClient.connect(vertx, options.withCertName(new CertName("sha256-raw:" + "00".repeat(32))))
                    .toCompletionStage().toCompletableFuture().handle((c, e) -> e != null).join(), "wrong pin accepted");
        }
    }

    @Test
    void probesAndApiOverHttpsCaptivePortalCheckOnPlainHttpAndRedirects() {
        given().relaxedHTTPSValidation().baseUri("https://localhost").port(https.getPort())
                .get("/derp/probe").then().statusCode(200);
        given().relaxedHTTPSValidation().baseUri("https://localhost").port(https.getPort())
                .get("/api/v2/derp-map").then().statusCode(200)
                .body("Regions.999.Nodes[0].HostName", equalTo("localhost"))
                .body("Regions.999.Nodes[0].CertName", equalTo(DevelopmentCertificate.pin(CONFIG_DIR).orElseThrow()))
                .body("Regions.999.Nodes[0].CertName", org.hamcrest.Matchers.startsWith("sha256-raw:"));
        given().baseUri("http://127.0.0.1").port(http.getPort()).header("X-Tailscale-Challenge", "ts_x")
                .get("/generate_204").then().statusCode(204).header("X-Tailscale-Response", "response ts_x");
        given().baseUri("http://127.0.0.1").port(http.getPort()).redirects().follow(false)
                .get("/api/v2/derp-map").then().statusCode(307)
                .header("Location", "https://localhost/api/v2/derp-map");
    }

    @Test
    void minimumVersionMapsToProtocols() {
        assertEquals("TLSv1.2,TLSv1.3", TlsConfigSourceFactory.protocols("tls12"));
        assertEquals("TLSv1.3", TlsConfigSourceFactory.protocols("TLS13"));
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> TlsConfigSourceFactory.protocols("ssl3")).getMessage().contains("CODER_TLS_MIN_VERSION"));
    }

    private static SSLContext trustingTestCertificate() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("test", Certificates.parsePem(Files.readString(CERT)).get(0));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
