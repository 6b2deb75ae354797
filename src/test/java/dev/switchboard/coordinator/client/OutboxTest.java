package dev.switchboard.coordinator.client;

import dev.switchboard.coordinator.proto.CoordinateRequest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutboxTest {
    @Test
    void slotsAreBoundedAndFreedWhenDroppedOrUnreserved() {
        Outbox outbox = new Outbox(2);
        assertTrue(outbox.reserve());
        assertTrue(outbox.reserve());
        assertFalse(outbox.reserve(), "the queue is full");
        outbox.unreserve();
        assertTrue(outbox.reserve());
        outbox.add(CoordinateRequest.getDefaultInstance(), true);
        outbox.add(CoordinateRequest.getDefaultInstance(), false); // the client's own resync: no slot
        assertFalse(outbox.reserve());
        outbox.clear();
        assertTrue(outbox.reserve(), "dropping a counted request frees its slot");
    }
}
