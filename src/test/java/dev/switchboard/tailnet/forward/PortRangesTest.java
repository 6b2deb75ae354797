package dev.switchboard.tailnet.forward;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortRangesTest {
    @Test
    void portsAndRangesAreIncludedAndNothingElse() {
        PortRanges p = PortRanges.parse("22, 80,8000-8999");
        assertTrue(p.test(22) && p.test(80) && p.test(8000) && p.test(8999));
        assertFalse(p.test(21) || p.test(81) || p.test(7999) || p.test(9000));
        assertEquals("22, 80,8000-8999", p.toString());
        assertTrue(PortRanges.ALL.test(1) && PortRanges.ALL.test(65_535));
    }

    @Test
    void badListsAreRefusedWithWhatIsExpected() {
        for (String bad : new String[] {"", "22,", "0", "65536", "a", "90-80", "1-2-3"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PortRanges.parse(bad),
                    bad);
            assertTrue(e.getMessage().contains("range"), e.getMessage());
        }
    }
}
