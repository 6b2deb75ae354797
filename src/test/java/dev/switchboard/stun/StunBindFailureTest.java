package dev.switchboard.stun;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.HostPort;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A STUN address in use fails start-up with one line naming CODER_STUN_LISTEN_ADDRESSES and the address. */
class StunBindFailureTest {

    @Test
    void aUdpAddressInUseNamesTheVariableAndTheAddress() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            int port = taken.getLocalPort();
            String configured = "127.0.0.1:0, 127.0.0.1:" + port;
            StunServer server = new StunServer(vertx, HostPort.parseList(StunListenAddresses.VARIABLE, configured),
                    new StunMetrics(new SimpleMeterRegistry()));
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> server.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
            server.stop();
            ConfigException e = StunLifecycle.bindFailure(configured, failed.getCause());
            assertEquals("CODER_STUN_LISTEN_ADDRESSES=" + configured + " cannot be used: udp 127.0.0.1:" + port
                    + " is already in use", e.getMessage());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
