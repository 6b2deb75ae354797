package dev.switchboard.cli;

import dev.switchboard.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The one line a failed start prints after {@code switchboard: }. */
class FailureLineTest {

    @Test
    void aConfigExceptionWinsOverWhatWrapsItAndWhatItWraps() {
        ConfigException config = ConfigException.unusable("CODER_HTTP_ADDRESS", "127.0.0.1:3000", "in use");
        config.initCause(new java.io.IOException("bind(..) failed with error(-98): Address already in use"));
        assertEquals("CODER_HTTP_ADDRESS=127.0.0.1:3000 cannot be used: in use",
                SwitchboardMain.failureLine(new RuntimeException("Failed to start quarkus", config)));
    }

    @Test
    void otherwiseTheRootCauseAndItsTypeWhenItHasNoMessage() {
        assertEquals("disk on fire", SwitchboardMain.failureLine(
                new RuntimeException("wrapper", new IllegalStateException("disk on fire"))));
        assertEquals("java.net.ConnectException", SwitchboardMain.failureLine(
                new RuntimeException("wrapper", new ConnectException())));
    }
}
