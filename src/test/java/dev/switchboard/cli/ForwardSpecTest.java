package dev.switchboard.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ForwardSpecTest {
    @Test
    void localMayNameAHostAndDefaultsToLoopback() {
        assertEquals(new ForwardSpec("127.0.0.1", 8080, 80), ForwardSpec.parse("8080:80"));
        assertEquals(new ForwardSpec("0.0.0.0", 8080, 80), ForwardSpec.parse("0.0.0.0:8080:80"));
        ForwardSpec v6 = ForwardSpec.parse("[::1]:8080:80");
        assertEquals(new ForwardSpec("::1", 8080, 80), v6);
        assertEquals("tcp://[::1]:8080", v6.localUrl());
    }

    @Test
    void badSpecsAreOneUsageLine() {
        for (String bad : new String[] {"8080", "8080:", ":80", "x:80", "::1:8080:80", "8080:0", "8080:70000"}) {
            UsageError e = assertThrows(UsageError.class, () -> ForwardSpec.parse(bad), bad);
            assertEquals("switchboard: --tcp: [host:]local:remote with ports 1-65535, e.g. 8080:80 or "
                    + "127.0.0.1:8080:80, not \"" + bad + "\"", e.line());
        }
    }
}
