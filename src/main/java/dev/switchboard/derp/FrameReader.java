package dev.switchboard.derp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.vertx.core.buffer.Buffer;

/**
 * Incremental DERP frame decoder over a byte stream that arrives in arbitrary chunks (TCP reads or WebSocket
 * messages). Length limits are checked from the header alone, before any payload is buffered, so a hostile length
 * field costs nothing. Frames of types the limits say to skip are discarded as their bytes arrive.
 *
 * <p>Frames that lie wholly inside a chunk are returned as slices of it, without copying. Only the bytes of a frame
 * that straddles two chunks are copied, into a small carry-over buffer, so a read costs at most one frame's copy
 * whatever its size. Either way a frame is valid only until the next {@link #detach()} (or {@link #append}): copy
 * what is kept longer. The carry-over's storage is kept and reused for the next straddling frame (on a busy connection
 * nearly every read ends inside a frame, since Netty sizes reads to what recent ones returned), up to
 * {@link #KEPT_CARRY_BYTES}. A larger one (a 64 KiB frame, or the rest of a read while the relay paused reading) is
 * reused too while reads keep ending inside frames, and dropped at the first read that ends on a frame boundary,
 * which is where an idle connection's last read ends: it keeps at most {@link #KEPT_CARRY_BYTES}.
 *
 * <p>Not thread-safe: owned by one connection's event loop.
 */
public final class FrameReader {
    private static final Buffer EMPTY = Buffer.buffer(0);
    /** Carry storage kept however long a connection idles: two full-size WireGuard packets' frames fit. */
    static final int KEPT_CARRY_BYTES = 4096;

    private FrameLimits limits;
    /** Bytes kept from earlier chunks (an own copy); they come before {@link #chunk}'s. EMPTY or {@link #carryView}. */
    private Buffer carry = EMPTY;
    private int carryPosition;
    /**
     * The carry's storage (reader index always 0, as Vert.x's {@code appendBuffer} adds it to offsets), or null.
     * It outlives an emptied carry, so frames just returned from it stay readable until the next {@link #detach()}.
     * Not from a leak-tracked allocator: it is never released, the GC takes it.
     */
    private ByteBuf carryStore;
    private Buffer carryView;
    /** The latest chunk, valid until {@link #detach()}. */
    private Buffer chunk = EMPTY;
    private int chunkPosition;
    private long skipRemaining;
    /** Where {@link #next()}'s frame is: its payload's buffer (the carry or the chunk), offset and length. */
    private Buffer frameSource = EMPTY;
    private int frameOffset;
    private int frameLength;
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
        FrameType type = next();
        return type == null ? null : new Frame(type, payload());
    }

    /**
     * Moves to the next complete frame and returns its type, or null if more bytes are needed; the frame's payload
     * is then {@link #payloadBuffer()} from {@link #payloadOffset()} for {@link #payloadLength()} bytes. The relay's
     * packet path reads packets there in place: {@link #poll()}'s slice and record cost two objects per frame.
     *
     * @throws DerpProtocolException when a header announces a length outside its type's limits
     */
    public FrameType next() throws DerpProtocolException {
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
            frameSource = source;
            frameOffset = position + DerpLimits.FRAME_HEADER_LEN;
            frameLength = (int) length;
            return type;
        }
    }

    /** {@link #next()}'s frame's payload as a slice (valid as long as the frame is). */
    public Buffer payload() {
        return frameSource.slice(frameOffset, frameOffset + frameLength);
    }

    /** The buffer holding {@link #next()}'s frame, valid until {@link #detach()}; from {@link #payloadOffset()}. */
    public Buffer payloadBuffer() {
        return frameSource;
    }

    public int payloadOffset() {
        return frameOffset;
    }

    public int payloadLength() {
        return frameLength;
    }

    /**
     * Copies the bytes not yet returned as frames out of the last chunk, so the chunk may be recycled. Call once
     * the frames returned so far are processed (they are slices of the chunk and become invalid with it).
     */
    public void detach() {
        int leftover = chunk.length() - chunkPosition;
        if (leftover > 0) {
            compactCarry(Math.max(carry.length() - carryPosition + leftover, truncatedFrameBytes));
            carry.appendBuffer(chunk, chunkPosition, leftover);
        } else if (carry == EMPTY && carryStore != null && carryStore.capacity() > KEPT_CARRY_BYTES) {
            carryStore = null; // caught up: do not keep a large carry through idle time
            carryView = null;
        }
        chunk = EMPTY;
        chunkPosition = 0;
        frameSource = EMPTY; // the last frame is invalid from now on; do not keep the chunk reachable through it
        truncatedFrameBytes = 0;
    }

    /**
     * Makes the carry's unread bytes start at index 0 of storage with room for {@code capacity} bytes, reusing the
     * kept storage: moves them down in place when the carry is not empty, else starts it empty.
     */
    private void compactCarry(int capacity) {
        if (carry == EMPTY) {
            if (carryStore == null) {
                carryStore = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, capacity, Integer.MAX_VALUE);
                carryView = Buffer.buffer(carryStore);
            }
            carryStore.clear();
            carry = carryView;
        } else {
            carryStore.readerIndex(carryPosition).discardReadBytes();
        }
        carryPosition = 0;
        carryStore.ensureWritable(capacity - carryStore.writerIndex());
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
            carry = EMPTY; // its storage stays as it is: frames just returned from it are valid until detach()
            carryPosition = 0;
        }
    }
}
