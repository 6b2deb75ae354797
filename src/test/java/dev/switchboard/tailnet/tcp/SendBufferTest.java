package dev.switchboard.tailnet.tcp;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SendBufferTest {
    @Test
    void boundedWritesAndAcksAcrossTheRingsEnd() {
        SendBuffer buffer = new SendBuffer(10);
        byte[] data = "abcdefghijklmnop".getBytes();
        assertEquals(10, buffer.write(data, 0, 16)); // only what fits
        assertEquals(0, buffer.free());
        buffer.ack(7);
        assertEquals(6, buffer.write(data, 10, 6)); // "klmnop" wraps past the end of the ring
        byte[] out = new byte[9];
        buffer.copy(0, out, 0, 9);
        assertArrayEquals("hijklmnop".getBytes(), out);
        buffer.copy(4, out, 0, 3);
        assertEquals("lmn", new String(out, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> buffer.ack(10));
    }

    @Test
    void matchesAReferenceStreamUnderRandomUse() {
        Random random = new Random(5681);
        SendBuffer buffer = new SendBuffer(1000);
        byte[] stream = new byte[200_000];
        random.nextBytes(stream);
        int written = 0;
        int acked = 0;
        while (acked < stream.length) {
            written += buffer.write(stream, written, Math.min(random.nextInt(700), stream.length - written));
            int offset = buffer.size() == 0 ? 0 : random.nextInt(buffer.size());
            int len = buffer.size() - offset == 0 ? 0 : random.nextInt(buffer.size() - offset);
            byte[] out = new byte[len];
            buffer.copy(offset, out, 0, len);
            for (int i = 0; i < len; i++) {
                assertEquals(stream[acked + offset + i], out[i]);
            }
            int n = buffer.size() == 0 ? 0 : random.nextInt(buffer.size() + 1);
            buffer.ack(n);
            acked += n;
            assertEquals(written - acked, buffer.size());
        }
    }
}
