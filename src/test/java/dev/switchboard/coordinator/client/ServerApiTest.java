package dev.switchboard.coordinator.client;

import dev.switchboard.coordinator.client.ServerApi.ErrorBody;
import dev.switchboard.coordinator.client.ServerApi.Refusal;
import dev.switchboard.coordinator.transport.CoordinateRoutes;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The client's reading of the server's HTTP answers; the server side is imported here only to pin the contract. */
class ServerApiTest {
    @Test
    void thePeerIdHeaderIsTheOneTheServerSets() {
        assertEquals(CoordinateRoutes.PEER_ID_HEADER, ServerApi.PEER_ID_HEADER);
    }

    @Test
    void refusalsAreClassifiedLikeCodersClient() {
        ErrorBody resume = new ErrorBody("Invalid resume token", "Invalid resume token", "resume_token");
        ErrorBody other = new ErrorBody("Invalid authentication token.", "the token has expired (beyond the allowed clock skew)", null);
        assertEquals(Refusal.DROP_RESUME_TOKEN, ServerApi.classify(401, resume, true));
        assertEquals(Refusal.PERMANENT, ServerApi.classify(401, resume, false), "no token was presented");
        assertEquals(Refusal.PERMANENT, ServerApi.classify(401, other, true));
        for (int status : new int[]{400, 403, 404, 409}) {
            assertEquals(Refusal.PERMANENT, ServerApi.classify(status, other, false));
        }
        for (int status : new int[]{408, 429, 500, 502, 503}) {
            assertEquals(Refusal.RETRY, ServerApi.classify(status, other, false));
        }
    }

    @Test
    void errorBodiesAreReadAndGarbageIsTolerated() {
        assertEquals(new ErrorBody("Invalid resume token", "bad", "resume_token"), ServerApi.errorBody(Buffer.buffer(
                "{\"message\":\"Invalid resume token\",\"detail\":\"bad\",\"validations\":[{\"field\":\"resume_token\","
                        + "\"detail\":\"Invalid resume token\"}]}")));
        assertEquals(new ErrorBody("Forbidden.", null, null), ServerApi.errorBody(Buffer.buffer("{\"message\":\"Forbidden.\"}")));
        assertEquals(new ErrorBody("<html>", null, null), ServerApi.errorBody(Buffer.buffer("<html>")));
    }

    @Test
    void resumeTokenResponsesAreParsedAndAZeroRefreshFallsBackTo30Minutes() {
        ServerApi.ResumeToken token = ServerApi.parseToken(Buffer.buffer(
                "{\"token\":\"t\",\"refresh_in\":\"43200s\",\"expires_at\":\"2026-12-03T14:00:00Z\"}"));
        assertEquals(new ServerApi.ResumeToken("t", Duration.ofHours(12), Instant.parse("2026-12-03T14:00:00Z")), token);
        assertEquals(Duration.ofMinutes(30), ServerApi.parseToken(Buffer.buffer("{\"token\":\"t\",\"refresh_in\":\"0s\"}"))
                .refreshIn());
    }
}
