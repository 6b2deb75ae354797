package dev.switchboard.tls;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * TLS on with no certificate and no access URL: the served map points stock clients at the HTTPS listener and pins
 * the generated certificate, so a TLS client can use the relay without editing a DERP map.
 */
@QuarkusTest
@TestProfile(DevelopmentTlsMapTest.DevelopmentTls.class)
class DevelopmentTlsMapTest {
    static final Path CONFIG_DIR = Path.of("target", "tls-dev-map-config").toAbsolutePath();

    public static class DevelopmentTls implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            TlsRelayTest.deleteRecursively(CONFIG_DIR);
            return Map.of("coder.tls.enable", "true", "coder.tls.address", "127.0.0.1:3443",
                    "coder.config-dir", CONFIG_DIR.toString());
        }
    }

    @Test
    void theEmbeddedNodeIsTheHttpsListenerPinnedToTheDevelopmentCertificate() {
        given().get("/api/v2/derp-map").then().statusCode(200)
                .body("Regions.999.Nodes[0].HostName", equalTo("127.0.0.1"))
                .body("Regions.999.Nodes[0].DERPPort", equalTo(3443))
                .body("Regions.999.Nodes[0].ForceHTTP", nullValue())
                .body("Regions.999.Nodes[0].CertName", equalTo(DevelopmentCertificate.pin(CONFIG_DIR).orElseThrow()));
    }
}
