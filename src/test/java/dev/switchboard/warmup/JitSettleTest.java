package dev.switchboard.warmup;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JitSettleTest {
    private final AtomicLong compiled = new AtomicLong(5_000);
    private final JitSettle settle = new JitSettle(compiled::get);

    @Test
    void settlesOnlyAfterAFullQuietWindow() {
        for (int i = 1; i < JitSettle.WINDOW_SAMPLES; i++) {
            assertFalse(settle.sample(), "sample " + i + ": no full window yet, however quiet");
        }
        assertTrue(settle.sample());
    }

    @Test
    void aBusyWindowIsNotSettledAndItsCompilesAgeOut() {
        compiled.addAndGet(JitSettle.QUIET_MILLIS + 1);
        for (int i = 0; i < JitSettle.WINDOW_SAMPLES; i++) {
            assertFalse(settle.sample(), "the first window holds QUIET_MILLIS + 1");
        }
        compiled.addAndGet(JitSettle.QUIET_MILLIS); // inside the next window: exactly the limit
        assertTrue(settle.sample(), "the busy sample has left the window; what is left is at the limit");
        compiled.addAndGet(1);
        assertFalse(settle.sample(), "over the limit again");
    }

    @Test
    void countsWhatWasCompiledSinceItWasMade() {
        compiled.addAndGet(1234);
        assertEquals(1234, settle.compiledMillis());
    }

    @Test
    void thisJvmHasACounter() {
        JitSettle jvm = JitSettle.ofThisJvm();
        assertTrue(jvm != null && jvm.compiledMillis() >= 0, "HotSpot monitors compilation time");
    }
}
