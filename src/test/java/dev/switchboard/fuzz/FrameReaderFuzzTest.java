package dev.switchboard.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchboard.derp.DerpLimits;
import dev.switchboard.derp.DerpProtocolException;
import dev.switchboard.derp.Frame;
import dev.switchboard.derp.FrameLimits;
import dev.switchboard.derp.FrameReader;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * DERP {@link FrameReader} over an arbitrary byte stream cut into arbitrary chunks. Invariants: only
 * {@link DerpProtocolException} escapes; every frame's length is inside its type's limits; the frames (and the error,
 * if any) do not depend on where the stream is split, compared with reading it as one chunk; buffered bytes stay
 * bounded by one chunk plus one frame.
 */
class FrameReaderFuzzTest {
    private static final FrameLimits[] MODES = {FrameLimits.SERVER_HANDSHAKE, FrameLimits.SERVER, FrameLimits.CLIENT};

    @FuzzTest(maxDuration = "10m", maxExecutions = 10_000_000)
    void fuzzFrameReader(FuzzedDataProvider data) {
        // FuzzedDataProvider takes integers from the end and bytes from the front: a raw recorded stream is a seed.
        int mode = data.consumeInt(0, MODES.length - 1);
        int splits = data.consumeInt(0, 16);
        int[] cuts = new int[splits];
        for (int i = 0; i < splits; i++) {
            cuts[i] = data.consumeInt(0, 1 << 16);
        }
        byte[] stream = data.consumeRemainingAsBytes();

        Outcome whole = read(mode, List.of(stream));
        List<byte[]> chunks = new ArrayList<>();
        int at = 0;
        for (int cut : cuts) {
            int end = Math.min(stream.length, at + cut);
            chunks.add(Arrays.copyOfRange(stream, at, end));
            at = end;
        }
        chunks.add(Arrays.copyOfRange(stream, at, stream.length));
        Outcome chunked = read(mode, chunks);
        if (!whole.sameAs(chunked)) {
            throw new AssertionError("chunking changed the result: whole " + whole + " vs chunked " + chunked);
        }
    }

    /** Reads like a server connection does: ClientInfo under the handshake limits, then the steady-state ones. */
    private static Outcome read(int mode, List<byte[]> chunks) {
        FrameLimits limits = MODES[mode];
        FrameReader reader = new FrameReader(limits);
        Outcome outcome = new Outcome();
        try {
            for (byte[] chunk : chunks) {
                reader.append(Buffer.buffer(chunk));
                Frame frame;
                while ((frame = reader.poll()) != null) {
                    FrameLimits.Range range = limits.rangeOf(frame.type());
                    int length = frame.payload().length();
                    if (range == FrameLimits.SKIP || range == FrameLimits.REJECT || !range.contains(length)) {
                        throw new AssertionError("frame " + frame.type() + " of length " + length + " returned under "
                                + range);
                    }
                    if (length > DerpLimits.MAX_SERVER_FRAME_LEN + DerpLimits.NONCE_LEN) {
                        throw new AssertionError("frame longer than any limit: " + length);
                    }
                    outcome.frames.add(frame.type() + ":" + HEX.formatHex(frame.payload().getBytes()));
                    if (limits == FrameLimits.SERVER_HANDSHAKE) {
                        limits = FrameLimits.SERVER;
                        reader.limits(limits);
                    }
                }
                reader.detach();
                if (reader.bufferedBytes() > chunk.length + DerpLimits.FRAME_HEADER_LEN
                        + DerpLimits.MAX_SERVER_FRAME_LEN + DerpLimits.NONCE_LEN + chunks.stream()
                        .mapToInt(c -> c.length).sum()) {
                    throw new AssertionError("unbounded buffering: " + reader.bufferedBytes());
                }
            }
        } catch (DerpProtocolException e) {
            outcome.error = e.metricReason();
        }
        return outcome;
    }

    private static final java.util.HexFormat HEX = java.util.HexFormat.of();

    private static final class Outcome {
        final List<String> frames = new ArrayList<>();
        String error;

        boolean sameAs(Outcome other) {
            return frames.equals(other.frames) && java.util.Objects.equals(error, other.error);
        }

        @Override
        public String toString() {
            return frames.size() + " frames " + frames.stream().map(f -> f.length() > 40 ? f.substring(0, 40) : f)
                    .toList() + " error=" + error;
        }
    }
}
