package dev.switchboard.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.switchboard.coordinator.Authorizations;
import dev.switchboard.coordinator.CoordinationException;
import dev.switchboard.coordinator.Coordinator;
import dev.switchboard.coordinator.Peer;
import dev.switchboard.coordinator.PeerStream;
import dev.switchboard.coordinator.proto.CoordinateRequest;
import dev.switchboard.coordinator.proto.CoordinateResponse;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * CoordinateRequest handling, from the bytes of one WebSocket message to the coordinator's state, as
 * {@code CoordinateRoutes} runs it, sent by an agent or by a user's client of that agent. Invariants: only
 * {@link InvalidProtocolBufferException} (the stream ends with the parse error) and {@link CoordinationException}
 * (the stream ends with its reason) escape; a refused request changes nothing and sends nothing; whatever is sent
 * is a well-formed CoordinateResponse; no request opens a tunnel its sender's role does not allow or ends another
 * peer's stream. CI replays the seeds under {@code CoordinateRequestFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class CoordinateRequestFuzzTest {
    static final UUID AGENT = UUID.fromString("6a5f1f57-8d2b-4c7e-9a43-2f7d0b1c9e11");
    static final UUID CLIENT = UUID.fromString("0b8c3a2e-4f61-4d0a-8e5b-7c9d1e2f3a44");
    private static final UUID USER = UUID.fromString("3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f");

    // 30 minutes: a fresh coordinator and two peers per input make this target ~10k executions/s on this machine
    @FuzzTest(maxDuration = "30m", maxExecutions = 10_000_000)
    void fuzzCoordinateRequest(FuzzedDataProvider data) throws Exception {
        boolean fromAgent = data.consumeBoolean(); // taken from the end: a raw serialized request is a seed
        byte[] message = data.consumeRemainingAsBytes();

        Coordinator coordinator = new Coordinator(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        RecordingStream agentStream = new RecordingStream();
        RecordingStream clientStream = new RecordingStream();
        Peer agent = coordinator.connect(AGENT, "agent", Authorizations.agent(AGENT), agentStream);
        Peer client = coordinator.connect(CLIENT, "client", USER, Authorizations.userClient(USER, Set.of(AGENT)),
                clientStream);
        Coordinator.Snapshot before = coordinator.snapshot();

        CoordinateRequest request;
        try {
            request = CoordinateRequest.parseFrom(message);
        } catch (InvalidProtocolBufferException e) {
            return;
        }
        try {
            coordinator.handle(fromAgent ? agent : client, request);
        } catch (CoordinationException refused) {
            if (!coordinator.snapshot().equals(before) || !agentStream.sent.isEmpty() || !clientStream.sent.isEmpty()) {
                throw new AssertionError("a refused request (" + refused.getMessage() + ") changed the coordinator");
            }
            return;
        }
        for (Coordinator.Snapshot.Tunnel tunnel : coordinator.snapshot().tunnels()) {
            if (!tunnel.src().equals(CLIENT) || !tunnel.dst().equals(AGENT)) {
                throw new AssertionError("tunnel " + tunnel + " opened by a " + (fromAgent ? "agent" : "client"));
            }
        }
        if ((fromAgent ? clientStream : agentStream).closed) {
            throw new AssertionError("one peer's request ended the other's stream");
        }
        for (RecordingStream stream : List.of(agentStream, clientStream)) {
            for (CoordinateResponse response : stream.sent) {
                if (!CoordinateResponse.parseFrom(response.toByteArray()).equals(response)) {
                    throw new AssertionError("a response does not survive its own wire form: " + response);
                }
            }
        }
    }

    /** A peer's response stream that keeps what the coordinator sent; unbounded is fine for one request. */
    private static final class RecordingStream implements PeerStream {
        final List<CoordinateResponse> sent = new ArrayList<>();
        boolean closed;

        @Override
        public boolean offer(CoordinateResponse response) {
            sent.add(response);
            return true;
        }

        @Override
        public void close(String error) {
            closed = true;
        }
    }
}
