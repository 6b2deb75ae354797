package dev.switchboard.derp.server;

import dev.switchboard.derp.ClientInfo;
import dev.switchboard.derp.FrameType;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.NaclBox;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.testing.RawDerpSocket;
import dev.switchboard.testing.TestClient;
import dev.switchboard.testing.TestRelay;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and broken clients: each case closes only the offending connection and is counted, while a pair of
 * bystanders keeps relaying.
 */
class DerpBadInputTest {
    private static TestRelay relay;
    private TestClient bystanderA;
    private TestClient bystanderB;

    @BeforeAll
    static void start() {
        relay = TestRelay.start(DerpServerOptions.defaults()
                .withTimers(Duration.ofMillis(300), Duration.ofMillis(500), Duration.ofSeconds(2)));
    }

    @AfterAll
    static void stop() {
        relay.close();
    }

    @BeforeEach
    void bystanders() {
        bystanderA = relay.connect();
        bystanderB = relay.connect();
    }

    @AfterEach
    void bystandersStillRelay() {
        bystanderA.send(bystanderB, "unaffected");
        assertEquals("unaffected", bystanderB.nextPacket().data().toString());
        bystanderA.close();
        bystanderB.close();
    }

    @Test
    void clientInfoSealedToTheWrongKeyIsRejected() throws Exception {
        double before = rejections("box_open_failed");
        try (RawDerpSocket raw = upgraded()) {
            raw.write(Frames.clientInfo(raw.key(), NodePrivateKey.generate().publicKey(), ClientInfo.regular()));
            assertClosedAndCounted(raw, "box_open_failed", before);
        }
    }

    @Test
    void clientInfoWithGarbageJsonIsRejected() throws Exception {
        double before = rejections("bad_client_info");
        try (RawDerpSocket raw = upgraded()) {
            byte[] sealed = NaclBox.sealWithRandomNonce("not json".getBytes(StandardCharsets.UTF_8), raw.key(),
                    relay.server().publicKey());
            raw.write(Frames.frame(FrameType.CLIENT_INFO, raw.key().publicKey().appendTo(Buffer.buffer())
                    .appendBytes(sealed)));
            assertClosedAndCounted(raw, "bad_client_info", before);
        }
    }

    @Test
    void tenMegabyteLengthFieldIsRejectedAtOnce() throws Exception {
        double before = rejections("bad_frame_length");
        try (RawDerpSocket raw = upgraded()) {
            raw.write(Frames.header(FrameType.CLIENT_INFO, 10 << 20));
            assertClosedAndCounted(raw, "bad_frame_length", before);
        }
        try (RawDerpSocket raw = new RawDerpSocket(relay.port())) {
            raw.handshake(ClientInfo.regular());
            raw.write(Frames.header(FrameType.SEND_PACKET, 10 << 20));
            assertTrue(raw.closedWithin(2000));
        }
    }

    @Test
    void anyFirstFrameOtherThanClientInfoIsRejected() throws Exception {
        double before = rejections("bad_frame_type");
        try (RawDerpSocket raw = upgraded()) {
            raw.write(Frames.ping(Buffer.buffer("12345678")));
            assertClosedAndCounted(raw, "bad_frame_type", before);
        }
    }

    @Test
    void truncatedClientInfoHitsTheHandshakeDeadline() throws Exception {
        double before = rejections("handshake_timeout");
        try (RawDerpSocket raw = upgraded()) {
            Buffer frame = Frames.clientInfo(raw.key(), relay.server().publicKey(), ClientInfo.regular());
            raw.write(frame.getBuffer(0, frame.length() - 10));
            assertClosedAndCounted(raw, "handshake_timeout", before);
        }
    }

    @Test
    void silentClientHitsTheHandshakeDeadline() throws Exception {
        double before = rejections("handshake_timeout");
        try (RawDerpSocket raw = upgraded()) {
            assertClosedAndCounted(raw, "handshake_timeout", before);
        }
    }

    @Test
    void oversizeSendPacketAndMalformedNotePreferredCloseTheConnection() throws Exception {
        NodeKey someone = bystanderB.key();
        for (Buffer bad : java.util.List.of(
                Frames.sendPacket(someone, Buffer.buffer(new byte[64 * 1024 + 1])),
                Frames.header(FrameType.NOTE_PREFERRED, 2).appendShort((short) 257),
                Frames.header(FrameType.SEND_PACKET, 10).appendBytes(new byte[10]))) {
            try (RawDerpSocket raw = new RawDerpSocket(relay.port())) {
                raw.handshake(ClientInfo.regular());
                double before = rejections("bad_frame_length");
                raw.write(bad);
                assertClosedAndCounted(raw, "bad_frame_length", before);
            }
        }
    }

    @Test
    void unknownFrameTypesAreSkipped() throws Exception {
        TestClient client = relay.connect();
        client.client().write(Frames.header(FrameType.HEALTH, 3).appendString("abc"));
        client.client().write(Buffer.buffer().appendByte((byte) 0x7e).appendInt(4).appendInt(0));
        TestRelay.await(client.client().ping());
        client.close();
    }

    @Test
    void keepAliveArrivesOnSchedule() throws Exception {
        try (RawDerpSocket raw = new RawDerpSocket(relay.port())) {
            raw.handshake(ClientInfo.regular());
            Buffer frame = raw.readFrame();
            assertEquals(FrameType.KEEP_ALIVE.code(), frame.getUnsignedByte(0));
            assertEquals(0, frame.getInt(1));
        }
    }

    private static RawDerpSocket upgraded() throws Exception {
        RawDerpSocket raw = new RawDerpSocket(relay.port());
        raw.write(RawDerpSocket.upgradeHead(""));
        assertTrue(raw.readHead().startsWith("HTTP/1.1 101"));
        assertEquals(FrameType.SERVER_KEY.code(), raw.readFrame().getUnsignedByte(0));
        return raw;
    }

    private static double rejections(String reason) {
        return relay.server().metrics().rejections(reason);
    }

    private static void assertClosedAndCounted(RawDerpSocket raw, String reason, double before) {
        assertTrue(raw.closedWithin(3000), "connection should be closed");
        org.awaitility.Awaitility.await().until(() -> rejections(reason) == before + 1);
    }
}
