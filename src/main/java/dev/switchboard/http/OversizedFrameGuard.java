package dev.switchboard.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.function.LongConsumer;

/**
 * Sits before Netty's WebSocket frame decoder and takes every data frame whose payload is longer than
 * {@code maxFrameBytes} out of the byte stream, with the rest of its message, reporting its declared length once.
 *
 * <p>Why: the decoder buffers a whole frame before passing it on, and one over the listener's
 * {@code maxWebSocketFrameSize} is a protocol violation that closes the connection with the client's bytes unread,
 * so the client sees a reset instead of our error and 1009 close. Go clients (Coder's) send a message as one frame,
 * so that is the common shape of an oversized message. Here only frame headers are read (RFC 6455 §5.2): the
 * oversized frame's payload is dropped as it streams in, never buffered, and everything after it (the client's close
 * frame above all) still reaches the decoder, so the closing handshake completes. Control frames, which may arrive
 * between a message's fragments (§5.4), always pass.
 *
 * <p>Owned by the connection's event loop, as every field is.
 */
final class OversizedFrameGuard extends ChannelInboundHandlerAdapter {
    private static final int MAX_HEADER = 14;
    private static final int FIN = 0x80;
    private static final int CONTROL = 0x08;

    private final long maxFrameBytes;
    private final LongConsumer oversized;
    private final byte[] header = new byte[MAX_HEADER];
    private int headerBytes;   // header bytes seen so far; those from earlier reads are held in {@link #header}
    private int heldBytes;     // how many of them came from earlier reads and were not passed on
    private long payloadLeft;  // payload bytes of the current frame still to come
    private boolean dropping;  // the current frame is being dropped
    private boolean droppingMessage; // every data frame until the end of this message is dropped
    private boolean reported;
    private boolean cut;       // this read was split: some of it dropped, held or passed in parts

    OversizedFrameGuard(long maxFrameBytes, LongConsumer oversized) {
        this.maxFrameBytes = maxFrameBytes;
        this.oversized = oversized;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        int end = in.writerIndex();
        int start = in.readerIndex();
        int i = start;
        int passFrom = i; // start of this read's bytes not yet passed on or dropped
        cut = false;
        while (i < end) {
            if (payloadLeft > 0) {
                int n = (int) Math.min(payloadLeft, end - i);
                if (dropping) {
                    pass(ctx, in, passFrom, i);
                    passFrom = i + n;
                    cut = true;
                }
                i += n;
                payloadLeft -= n;
                continue;
            }
            int headerStart = i;
            while (i < end && headerBytes < headerLength()) {
                header[headerBytes++] = in.getByte(i++);
            }
            if (headerBytes < headerLength()) {
                pass(ctx, in, passFrom, headerStart); // hold the partial header until it is complete
                heldBytes = headerBytes;
                passFrom = end;
                cut = true;
                break;
            }
            frameHeaderComplete(ctx, in, passFrom, headerStart);
            passFrom = dropping ? i : Math.min(passFrom, headerStart);
            headerBytes = 0;
            heldBytes = 0;
        }
        if (!cut && passFrom == start) {
            ctx.fireChannelRead(in); // the common case: whole frames, or parts of kept ones
            return;
        }
        pass(ctx, in, passFrom, end);
        in.release();
    }

    /** Decides the frame's fate; a kept frame's header bytes held from earlier reads are passed on first. */
    private void frameHeaderComplete(ChannelHandlerContext ctx, ByteBuf in, int passFrom, int headerStart) {
        int opcode = header[0] & 0x0f;
        boolean fin = (header[0] & FIN) != 0;
        payloadLeft = payloadLength();
        boolean control = (opcode & CONTROL) != 0;
        if (!control && payloadLeft > maxFrameBytes) {
            droppingMessage = true;
            if (!reported) {
                reported = true;
                oversized.accept(payloadLeft);
            }
        }
        dropping = !control && droppingMessage;
        if (!control && fin) {
            droppingMessage = false; // the oversized message ends with this frame
        }
        if (dropping) {
            pass(ctx, in, passFrom, headerStart);
            cut = true;
        } else if (heldBytes > 0) {
            pass(ctx, in, passFrom, headerStart);
            ctx.fireChannelRead(ctx.alloc().buffer(heldBytes).writeBytes(header, 0, heldBytes));
        }
    }

    private int headerLength() {
        if (headerBytes < 2) {
            return 2;
        }
        int length = header[1] & 0x7f;
        int mask = (header[1] & 0x80) != 0 ? 4 : 0;
        return 2 + mask + (length == 126 ? 2 : length == 127 ? 8 : 0);
    }

    private long payloadLength() {
        int length = header[1] & 0x7f;
        if (length < 126) {
            return length;
        }
        long value = 0;
        for (int k = 0; k < (length == 126 ? 2 : 8); k++) {
            value = (value << 8) | (header[2 + k] & 0xff);
        }
        return value < 0 ? Long.MAX_VALUE : value; // a set top bit is invalid (§5.2); the decoder rejects it anyway
    }

    private void pass(ChannelHandlerContext ctx, ByteBuf in, int from, int to) {
        if (to > from) {
            cut = true;
            ctx.fireChannelRead(in.retainedSlice(from, to - from));
        }
    }
}
