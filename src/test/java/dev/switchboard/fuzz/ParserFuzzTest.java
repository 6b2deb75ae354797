package dev.switchboard.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchboard.derp.ClientInfo;
import dev.switchboard.derp.DerpProtocolException;
import dev.switchboard.derpmap.DerpMap;
import dev.switchboard.derpmap.DerpMapJson;
import dev.switchboard.derpmap.InvalidDerpMapException;
import dev.switchboard.stun.StunCodec;
import dev.switchboard.tailnet.disco.DiscoMessage;
import dev.switchboard.tailnet.ip.IpPacket;
import dev.switchboard.tailnet.tcp.TcpReject;
import dev.switchboard.tailnet.tcp.TcpSegment;
import io.vertx.core.buffer.Buffer;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The other parsers that read untrusted bytes: STUN datagrams, the DERP ClientInfo JSON, DERP map JSON (from a file
 * or URL an operator points at), disco message plaintext, tailnet IP packets and TCP segments. Each target states the parser's
 * contract as invariants: only its documented exception escapes, and whatever it accepts survives a round trip.
 * CI replays the seeds under {@code ParserFuzzTestInputs/<method>/}; {@code JAZZER_FUZZ=1} fuzzes (docs/fuzzing.md).
 */
class ParserFuzzTest {
    @FuzzTest(maxDuration = "10m", maxExecutions = 10_000_000)
    void fuzzStun(byte[] datagram) throws Exception {
        StunCodec.Validation validation = StunCodec.validate(Buffer.buffer(datagram));
        if (validation.disposition() != StunCodec.Disposition.SUCCESS) {
            return;
        }
        byte[] txId = validation.request().transactionId();
        if (txId.length != StunCodec.TRANSACTION_ID_LEN || !Arrays.equals(txId, 0, txId.length, datagram, 8, 20)) {
            throw new AssertionError("accepted request with a transaction ID not taken from bytes 8..20");
        }
        Buffer response = StunCodec.response(txId, InetAddress.getByAddress(new byte[]{10, 0, 0, 1}), 41641,
                validation.request().fingerprint());
        if (response.length() > StunCodec.MAX_RESPONSE_LEN) {
            throw new AssertionError("response of " + response.length() + " bytes");
        }
    }

    @FuzzTest(maxDuration = "10m", maxExecutions = 10_000_000)
    void fuzzClientInfo(byte[] json) {
        try {
            ClientInfo info = ClientInfo.parse(json);
            if (info.meshKey() != null && info.meshKey().length != 32) {
                throw new AssertionError("mesh key of " + info.meshKey().length + " bytes accepted");
            }
        } catch (DerpProtocolException expected) {
            // the one documented failure
        }
    }

    @FuzzTest(maxDuration = "10m", maxExecutions = 10_000_000)
    void fuzzDerpMapJson(byte[] bytes) {
        DerpMap map;
        try {
            map = DerpMapJson.read(new String(bytes, StandardCharsets.UTF_8));
        } catch (InvalidDerpMapException expected) {
            return;
        }
        DerpMap again = DerpMapJson.read(DerpMapJson.write(map));
        if (!again.equals(map)) {
            throw new AssertionError("map changed across write/read: " + map + " vs " + again);
        }
    }

    @FuzzTest(maxDuration = "10m", maxExecutions = 10_000_000)
    void fuzzDiscoMessage(byte[] plaintext) {
        Optional<DiscoMessage> message = DiscoMessage.parse(plaintext);
        if (message.isPresent()) {
            Optional<DiscoMessage> again = DiscoMessage.parse(message.get().encode());
            if (!again.equals(message)) {
                throw new AssertionError("message changed across encode/parse: " + message + " vs " + again);
            }
        }
    }

    @FuzzTest(maxDuration = "10m", maxExecutions = 10_000_000)
    void fuzzIpPacket(byte[] packet) {
        if (IpPacket.parse(packet, 0, packet.length) instanceof IpPacket.Parsed.Accepted accepted) {
            IpPacket p = accepted.packet();
            if (p.payloadOffset() + p.payloadLength() > packet.length || p.payloadLength() < 0
                    || p.destinationOffset() + p.addressLength() > packet.length) {
                throw new AssertionError("accepted packet points outside its bytes");
            }
        }
    }

    /**
     * A TCP segment inside an IPv6 packet, its checksum made valid so the fuzzer gets past it to the header and
     * option parsing. An accepted segment's payload lies inside its bytes.
     */
    @FuzzTest(maxDuration = "10m", maxExecutions = 10_000_000)
    void fuzzTcpSegment(byte[] segment) {
        if (segment.length < TcpSegment.HEADER_LENGTH || segment.length > 1240) {
            return;
        }
        byte[] packet = new byte[40 + segment.length];
        byte[] src = new byte[16];
        byte[] dst = new byte[16];
        src[15] = 1;
        dst[15] = 2;
        IpPacket.writeIpv6Header(packet, 0, segment.length, IpPacket.PROTOCOL_TCP, 64, src, dst);
        System.arraycopy(segment, 0, packet, 40, segment.length);
        packet[40 + 16] = 0;
        packet[40 + 17] = 0;
        if (!(IpPacket.parse(packet, 0, packet.length) instanceof IpPacket.Parsed.Accepted accepted)) {
            throw new AssertionError("our own IPv6 header was refused");
        }
        TcpSegment.writeChecksum(accepted.packet());
        TcpSegment view = new TcpSegment();
        TcpReject reject = view.wrap(accepted.packet());
        if (reject == TcpReject.BAD_CHECKSUM) {
            throw new AssertionError("a segment with a freshly written checksum failed it");
        }
        if (reject == null && (view.payloadOffset() + view.payloadLength() > packet.length
                || view.payloadLength() < 0 || view.headerLength() < TcpSegment.HEADER_LENGTH)) {
            throw new AssertionError("accepted segment points outside its bytes");
        }
    }
}
