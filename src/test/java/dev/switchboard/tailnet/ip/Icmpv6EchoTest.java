package dev.switchboard.tailnet.ip;

import org.junit.jupiter.api.Test;

import static dev.switchboard.tailnet.ip.IpPacketTest.DST;
import static dev.switchboard.tailnet.ip.IpPacketTest.ECHO_REQUEST;
import static dev.switchboard.tailnet.ip.IpPacketTest.HEX;
import static dev.switchboard.tailnet.ip.IpPacketTest.SRC;
import static dev.switchboard.tailnet.ip.IpPacketTest.accept;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Icmpv6EchoTest {
    /** The expected reply: addresses swapped, type 129, checksum 92cc computed independently. */
    private static final String ECHO_REPLY = "6000000000103a40" + HEX.formatHex(DST) + HEX.formatHex(SRC)
            + "810092cc123400016162636465666768";

    @Test
    void repliesInPlace() {
        byte[] b = HEX.parseHex(ECHO_REQUEST);
        assertEquals(Icmpv6Echo.Outcome.REPLIED, Icmpv6Echo.replyInPlace(accept(b)));
        assertEquals(ECHO_REPLY, HEX.formatHex(b));
        IpPacket reply = accept(b);
        assertTrue(reply.pseudoHeader().add(b, reply.payloadOffset(), reply.payloadLength()).verifies());
    }

    @Test
    void repliesIntoCallerBufferLeavingRequest() {
        byte[] b = HEX.parseHex(ECHO_REQUEST);
        byte[] out = new byte[IpPacket.MTU];
        assertEquals(Icmpv6Echo.Outcome.REPLIED, Icmpv6Echo.replyInto(accept(b), out, 4));
        assertEquals(ECHO_REPLY, HEX.formatHex(out, 4, 60));
        assertEquals(ECHO_REQUEST, HEX.formatHex(b));
        assertEquals(Icmpv6Echo.Outcome.BUFFER_TOO_SMALL, Icmpv6Echo.replyInto(accept(b), new byte[55], 0));
    }

    @Test
    void refusesWhatIsNotAValidUnicastEchoRequest() {
        byte[] b = HEX.parseHex(ECHO_REQUEST);
        b[45] ^= 1; // corrupt identifier
        assertEquals(Icmpv6Echo.Outcome.BAD_CHECKSUM, Icmpv6Echo.replyInPlace(accept(b)));
        byte[] reply = HEX.parseHex(ECHO_REPLY);
        assertEquals(Icmpv6Echo.Outcome.NOT_ECHO_REQUEST, Icmpv6Echo.replyInPlace(accept(reply)));
        byte[] multicast = HEX.parseHex(ECHO_REQUEST);
        multicast[24] = (byte) 0xff;
        multicast[25] = 0x02; // ff02:... ; checksum now wrong too, so fix it
        IpPacket m = accept(multicast);
        multicast[m.payloadOffset() + 2] = 0;
        multicast[m.payloadOffset() + 3] = 0;
        int c = m.pseudoHeader().add(multicast, m.payloadOffset(), m.payloadLength()).checksum();
        multicast[m.payloadOffset() + 2] = (byte) (c >>> 8);
        multicast[m.payloadOffset() + 3] = (byte) c;
        assertEquals(Icmpv6Echo.Outcome.MULTICAST_DESTINATION, Icmpv6Echo.replyInPlace(accept(multicast)));
    }
}
