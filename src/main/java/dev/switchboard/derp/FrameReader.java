package dev.switchboard.derp;

import io.vertx.core.buffer.Buffer;

/**
 * Incremental DERP frame decoder over a byte stream that arrives in arbitrary chunks (TCP reads or WebSocket
 * messages). Length limits are checked from the header alone, before any payload is buffered, so a hostile length
 * field costs nothing. Frames of types the limits say to skip are discarded as their bytes arrive.
 *
 * <p>Not thread-safe: owned by one connection's event loop.
 */
public final class FrameReader {
    private FrameLimits limits;
    private Buffer pending = Buffer.buffer(0);
    private int position;
    private long skipRemaining;

    public FrameReader(FrameLimits limits) {
        this.limits = limits;
    }

    /** Switches the accepted frames, e.g. from handshake to steady state. */
    public void limits(FrameLimits newLimits) {
        this.limits = newLimits;
    }

    /** Adds received bytes; call {@link #poll()} until it returns null to take the frames they complete. */
    public void append(Buffer chunk) {
        if (skipRemaining > 0) {
            int skipped = (int) Math.min(skipRemaining, chunk.length());
            skipRemaining -= skipped;
            if (skipped == chunk.length()) {
                return;
            }
            chunk = chunk.slice(skipped, chunk.length());
        }
        if (position == pending.length()) {
            pending = chunk;
        } else {
            Buffer joined = Buffer.buffer(pending.length() - position + chunk.length());
            joined.appendBuffer(pending, position, pending.length() - position).appendBuffer(chunk);
            pending = joined;
        }
        position = 0;
    }

    /**
     * The next complete frame, or null if more bytes are needed.
     *
     * @throws DerpProtocolException when a header announces a length outside its type's limits
     */
    public Frame poll() throws DerpProtocolException {
        while (true) {
            int available = pending.length() - position;
            if (skipRemaining > 0 || available < DerpLimits.FRAME_HEADER_LEN) {
                return null;
            }
            int code = pending.getUnsignedByte(position);
            long length = pending.getUnsignedInt(position + 1);
            FrameType type = FrameType.fromCode(code);
            FrameLimits.Range range = limits.rangeOf(type);
            if (range == FrameLimits.REJECT) {
                throw new DerpProtocolException("bad_frame_type", "unexpected frame type 0x" + Integer.toHexString(code));
            }
            if (range == FrameLimits.SKIP) {
                skip(length);
                continue;
            }
            if (!range.contains(length)) {
                throw new DerpProtocolException("bad_frame_length",
                        "frame " + type + " with length " + length + " outside [" + range.min() + ", " + range.max() + "]");
            }
            if (available - DerpLimits.FRAME_HEADER_LEN < length) {
                return null;
            }
            int start = position + DerpLimits.FRAME_HEADER_LEN;
            position = start + (int) length;
            return new Frame(type, pending.slice(start, position));
        }
    }

    /**
     * Copies the bytes not yet returned as frames out of the last chunk, so the chunk may be recycled. Call once
     * the frames returned so far are processed (they are slices of the chunk and become invalid with it).
     */
    public void detach() {
        pending = position < pending.length() ? pending.getBuffer(position, pending.length()) : Buffer.buffer(0);
        position = 0;
    }

    /** Bytes received but not yet returned as frames; bounded by one read chunk plus one frame. */
    public int bufferedBytes() {
        return pending.length() - position;
    }

    private void skip(long length) {
        position += DerpLimits.FRAME_HEADER_LEN;
        long inBuffer = pending.length() - position;
        if (length <= inBuffer) {
            position += (int) length;
        } else {
            skipRemaining = length - inBuffer;
            position = pending.length();
        }
    }
}
