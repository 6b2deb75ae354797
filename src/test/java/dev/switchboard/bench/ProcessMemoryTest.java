package dev.switchboard.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessMemoryTest {

    @Test
    void readsTheResidentSetOfALiveProcessAndNothingForAMissingOne() {
        long self = ProcessHandle.current().pid();
        assertTrue(ProcessMemory.residentBytes(self).orElseThrow() > 1 << 20);
        assertTrue(ProcessMemory.residentBytes(Integer.MAX_VALUE).isEmpty());
    }

    @Test
    void asksAJvmForAFullCollectionAndReportsWhenItCannot() throws Exception {
        assertTrue(ProcessMemory.collectGarbage(ProcessHandle.current().pid()));
        assertFalse(ProcessMemory.collectGarbage(Integer.MAX_VALUE));
    }
}
