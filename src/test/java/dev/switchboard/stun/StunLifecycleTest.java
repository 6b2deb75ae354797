package dev.switchboard.stun;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The responder starts with the application (here on an ephemeral loopback port) and exports its metrics. */
@QuarkusTest
class StunLifecycleTest {
    @TestHTTPResource(value = "/metrics", management = true)
    java.net.URL metrics;

    @Inject
    StunLifecycle stun;

    @Test
    void responderRunsWithTheServerAndIsCounted() throws Exception {
        InetSocketAddress address = stun.localAddresses().orElseThrow().get(0);
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            client.setSoTimeout(3000);
            byte[] request = StunCodec.tailscaleRequest(new byte[12]).getBytes();
            client.send(new DatagramPacket(request, request.length, address));
            byte[] in = new byte[64];
            DatagramPacket response = new DatagramPacket(in, in.length);
            client.receive(response);
            StunCodec.BindingResponse parsed = StunCodec.parseResponse(Buffer.buffer(in).getBuffer(0, response.getLength()));
            assertNotNull(parsed);
            assertEquals(client.getLocalPort(), parsed.mapped().getPort());
        }
        given().get(metrics).then().statusCode(200)
                .body(containsString("switchboard_stun_requests_total{disposition=\"success\"}"))
                .body(containsString("switchboard_stun_responses_total{family=\"ipv4\"}"));
    }
}
