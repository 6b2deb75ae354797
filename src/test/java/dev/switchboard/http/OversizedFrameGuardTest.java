package dev.switchboard.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Masked client frames (RFC 6455 §5.2) through the guard, the stream cut at every chunk size and at random points. */
class OversizedFrameGuardTest {
    private static final int LIMIT = 1000;
    private static final int TEXT = 1, BINARY = 2, CONTINUATION = 0, CLOSE = 8, PING = 9;

    private record Stream(byte[] all, byte[] kept) {
    }

    @Test
    void oversizedFramesAndTheRestOfTheirMessageAreDroppedWhateverTheReadBoundaries() {
        List<byte[]> kept = new ArrayList<>();
        List<byte[]> all = new ArrayList<>();
        add(all, kept, true, frame(true, TEXT, 10));
        add(all, kept, true, frame(false, BINARY, 100));
        add(all, kept, true, frame(true, PING, 4));          // a control frame between fragments
        add(all, kept, true, frame(true, CONTINUATION, LIMIT)); // exactly the limit: kept
        add(all, kept, false, frame(true, BINARY, 70_000));  // 16-bit length, over the limit
        add(all, kept, true, frame(true, BINARY, 125));
        add(all, kept, false, frame(false, BINARY, LIMIT + 1)); // an oversized first fragment...
        add(all, kept, true, frame(true, PING, 0));
        add(all, kept, false, frame(false, CONTINUATION, 10)); // ...takes the rest of its message
        add(all, kept, false, frame(true, CONTINUATION, 10));
        add(all, kept, false, frame(true, BINARY, 100_000)); // 64-bit length
        add(all, kept, true, frame(true, CLOSE, 2));         // the client's close reaches the decoder
        Stream stream = new Stream(concat(all), concat(kept));

        for (int chunk = 1; chunk <= 40; chunk++) {
            assertPassed(stream, cutEvery(stream.all(), chunk));
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int run = 0; run < 200; run++) {
            assertPassed(stream, cutRandomly(stream.all(), random));
        }
        assertPassed(stream, List.of(stream.all()));
    }

    @Test
    void aReadOfWholeKeptFramesPassesTheSameBufferOn() {
        EmbeddedChannel channel = new EmbeddedChannel(new OversizedFrameGuard(LIMIT, declared -> { }));
        ByteBuf read = Unpooled.wrappedBuffer(concat(List.of(frame(true, BINARY, 10), frame(true, TEXT, 3))));
        channel.writeInbound(read);
        ByteBuf passed = channel.readInbound();
        assertEquals(read, passed);
        org.junit.jupiter.api.Assertions.assertSame(read, passed, "no slice, no copy");
        passed.release();
    }

    private static void assertPassed(Stream stream, List<byte[]> reads) {
        List<Long> reported = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new OversizedFrameGuard(LIMIT, reported::add));
        for (byte[] read : reads) {
            channel.writeInbound(Unpooled.wrappedBuffer(read));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf passed; (passed = channel.readInbound()) != null; ) {
            byte[] bytes = new byte[passed.readableBytes()];
            passed.readBytes(bytes);
            passed.release();
            out.writeBytes(bytes);
        }
        assertArrayEquals(stream.kept(), out.toByteArray(), reads.size() + " reads");
        assertEquals(List.of(70_000L), reported, "reported once, with the first oversized frame's length");
        channel.finishAndReleaseAll();
    }

    private static void add(List<byte[]> all, List<byte[]> kept, boolean keep, byte[] frame) {
        all.add(frame);
        if (keep) {
            kept.add(frame);
        }
    }

    static byte[] frame(boolean fin, int opcode, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        if (length < 126) {
            out.write(0x80 | length);
        } else if (length <= 0xffff) {
            out.write(0x80 | 126);
            out.write(length >>> 8);
            out.write(length & 0xff);
        } else {
            out.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) length >>> shift) & 0xff);
            }
        }
        out.writeBytes(new byte[] {0x12, 0x34, 0x56, 0x78}); // masking key
        byte[] payload = new byte[length];
        new SplittableRandom(length).nextBytes(payload);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static List<byte[]> cutEvery(byte[] all, int chunk) {
        List<byte[]> reads = new ArrayList<>();
        for (int at = 0; at < all.length; at += chunk) {
            reads.add(java.util.Arrays.copyOfRange(all, at, Math.min(all.length, at + chunk)));
        }
        return reads;
    }

    private static List<byte[]> cutRandomly(byte[] all, SplittableRandom random) {
        List<byte[]> reads = new ArrayList<>();
        for (int at = 0; at < all.length; ) {
            int n = Math.min(all.length - at, 1 + random.nextInt(random.nextBoolean() ? 16 : 40_000));
            reads.add(java.util.Arrays.copyOfRange(all, at, at + n));
            at += n;
        }
        return reads;
    }
}
