package dev.switchboard.derp;

import io.vertx.core.buffer.Buffer;

/**
 * Incremental DERP frame decoder over a byte stream that arrives in arbitrary chunks (TCP reads or WebSocket
 * messages). Length limits are checked from the header alone, before any payload is buffered, so a hostile length
 * field costs nothing. Frames of types the limits say to skip are discarded as their bytes arrive.
 *
 * <p>Frames that lie wholly inside a chunk are returned as slices of it, without copying. Only the bytes of a frame
 * that straddles two chunks are copied, into a small carry-over buffer, so a read costs at most one frame's copy
 * whatever its size.
 *
 * <p>Not thread-safe: owned by one connection's event loop.
 */
public final class FrameReader {
    private static final Buffer EMPTY = Buffer.buffer(0);

    private FrameLimits limits;
    /** Bytes kept from earlier chunks (an own copy); they come before {@link #chunk}'s. */
    private Buffer carry = EMPTY;
    private int carryPosition;
    /** The latest chunk, valid until {@link #detach()}. */
    private Buffer chunk = EMPTY;
    private int chunkPosition;
    private long skipRemaining;
    /** Size of the frame the chunk ended in the middle of (its header already checked), so the carry fits it. */
    private int truncatedFrameBytes;

    public FrameReader(FrameLimits limits) {
        this.limits = limits;
    }

    /** Switches the accepted frames, e.g. from handshake to steady state. */
    public void limits(FrameLimits newLimits) {
        this.limits = newLimits;
    }

    /** Adds received bytes; call {@link #poll()} until it returns null to take the frames they complete. */
    public void append(Buffer next) {
        detach();
        chunk = next;
    }

    /**
     * The next complete frame, or null if more bytes are needed.
     *
     * @throws DerpProtocolException when a header announces a length outside its type's limits
     */
    public Frame poll() throws DerpProtocolException {
        while (true) {
            if (skipRemaining > 0 && !skipAvailable()) {
                return null;
            }
            boolean fromCarry = carryPosition < carry.length();
            if (fromCarry && !carryAtLeast(DerpLimits.FRAME_HEADER_LEN)) {
                return null;
            }
            Buffer source = fromCarry ? carry : chunk;
            int position = fromCarry ? carryPosition : chunkPosition;
            if (source.length() - position < DerpLimits.FRAME_HEADER_LEN) {
                return null;
            }
            long length = source.getUnsignedInt(position + 1);
            FrameType type = accept(source.getUnsignedByte(position), length);
            if (type == null) {
                advance(fromCarry, DerpLimits.FRAME_HEADER_LEN);
                skipRemaining = length;
                continue;
            }
            int total = DerpLimits.FRAME_HEADER_LEN + (int) length;
            if (fromCarry ? !carryAtLeast(total) : source.length() - position < total) {
                truncatedFrameBytes = total;
                return null;
            }
            advance(fromCarry, total);
            return new Frame(type, source.slice(position + DerpLimits.FRAME_HEADER_LEN, position + total));
        }
    }

    /**
     * Copies the bytes not yet returned as frames out of the last chunk, so the chunk may be recycled. Call once
     * the frames returned so far are processed (they are slices of the chunk and become invalid with it).
     */
    public void detach() {
        int leftover = chunk.length() - chunkPosition;
        if (leftover > 0) {
            int carried = carry.length() - carryPosition;
            carry = Buffer.buffer(Math.max(carried + leftover, truncatedFrameBytes))
                    .appendBuffer(carry, carryPosition, carried)
                    .appendBuffer(chunk, chunkPosition, leftover);
            carryPosition = 0;
        }
        chunk = EMPTY;
        chunkPosition = 0;
        truncatedFrameBytes = 0;
    }

    /** Bytes received but not yet returned as frames; bounded by one read chunk plus one frame. */
    public int bufferedBytes() {
        return carry.length() - carryPosition + chunk.length() - chunkPosition;
    }

    /** The frame type if its length is acceptable, null if frames of this type are to be skipped. */
    private FrameType accept(int code, long length) throws DerpProtocolException {
        FrameType type = FrameType.fromCode(code);
        FrameLimits.Range range = limits.rangeOf(type);
        if (range == FrameLimits.REJECT) {
            throw new DerpProtocolException("bad_frame_type", "unexpected frame type 0x" + Integer.toHexString(code));
        }
        if (range == FrameLimits.SKIP) {
            return null;
        }
        if (!range.contains(length)) {
            throw new DerpProtocolException("bad_frame_length",
                    "frame " + type + " with length " + length + " outside [" + range.min() + ", " + range.max() + "]");
        }
        return type;
    }

    /** Discards skipped bytes from the carry, then the chunk; true once the skip is complete. */
    private boolean skipAvailable() {
        int fromCarry = (int) Math.min(skipRemaining, carry.length() - carryPosition);
        advance(true, fromCarry);
        skipRemaining -= fromCarry;
        int fromChunk = (int) Math.min(skipRemaining, chunk.length() - chunkPosition);
        advance(false, fromChunk);
        skipRemaining -= fromChunk;
        return skipRemaining == 0;
    }

    /**
     * Moves bytes from the chunk to the carry until the carry's unread part holds {@code needed} bytes (a frame that
     * began in an earlier chunk); false if the chunk ran out first.
     */
    private boolean carryAtLeast(int needed) {
        int missing = needed - (carry.length() - carryPosition);
        if (missing > 0) {
            int moved = Math.min(missing, chunk.length() - chunkPosition);
            carry.appendBuffer(chunk, chunkPosition, moved);
            chunkPosition += moved;
            missing -= moved;
        }
        return missing <= 0;
    }

    private void advance(boolean inCarry, int bytes) {
        if (!inCarry) {
            chunkPosition += bytes;
            return;
        }
        carryPosition += bytes;
        if (carryPosition == carry.length()) {
            carry = EMPTY;
            carryPosition = 0;
        }
    }
}
