package dev.switchboard.derp;

import dev.switchboard.vertx.VertxInternals;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.buffer.Buffer;

import java.net.Inet4Address;
import java.net.InetAddress;

/** Builds complete DERP frames (header included) ready to write. Pure functions. */
public final class Frames {
    private static final Buffer KEEP_ALIVE_FRAME = header(FrameType.KEEP_ALIVE, 0);

    private Frames() {
    }

    /** A buffer holding just the 5-byte header, sized for the payload that will be appended. */
    public static Buffer header(FrameType type, int payloadLength) {
        return Buffer.buffer(DerpLimits.FRAME_HEADER_LEN + payloadLength)
                .appendByte((byte) type.code())
                .appendInt(payloadLength);
    }

    public static Buffer frame(FrameType type, Buffer payload) {
        return header(type, payload.length()).appendBuffer(payload);
    }

    public static Buffer frame(FrameType type, byte[] payload) {
        return header(type, payload.length).appendBytes(payload);
    }

    /** ServerKey: magic ‖ server public key. */
    public static Buffer serverKey(NodeKey serverKey) {
        Buffer frame = header(FrameType.SERVER_KEY, DerpLimits.MAGIC.length + DerpLimits.KEY_LEN)
                .appendBytes(DerpLimits.MAGIC);
        return serverKey.appendTo(frame);
    }

    /**
     * RecvPacket (v2 layout): source key ‖ packet, both copied from ranges of other buffers (the relay's hot path:
     * the key and packet of the SendPacket or ForwardPacket frame just read). Built in one buffer from
     * {@code allocator}, header included: a pooled direct buffer the socket writes without another copy, which costs
     * less than a composite of a header and a retained slice of the read buffer (that would pin the whole read
     * buffer while the packet waits in a queue). Copies from the Netty buffers underneath without the wrappers
     * {@code Buffer.getByteBuf()} allocates. The caller owns the frame and must release it, or hand it to a writer
     * that does.
     */
    public static ByteBuf recvPacket(ByteBufAllocator allocator, Buffer keySource, int keyOffset, Buffer packetSource,
                                     int packetOffset, int length) {
        int payloadLength = DerpLimits.KEY_LEN + length;
        ByteBuf frame = allocator.directBuffer(DerpLimits.FRAME_HEADER_LEN + payloadLength);
        frame.writeByte(FrameType.RECV_PACKET.code()).writeInt(payloadLength);
        copy(keySource, keyOffset, DerpLimits.KEY_LEN, frame);
        return copy(packetSource, packetOffset, length, frame);
    }

    /**
     * Appends {@code length} bytes at {@code offset} of {@code source}, indexed as {@code Buffer.getByte} indexes it
     * (the Netty buffer's own index), as the reader's offsets and {@link NodeKeyProbe} are.
     */
    private static ByteBuf copy(Buffer source, int offset, int length, ByteBuf into) {
        return into.writeBytes(VertxInternals.byteBuf(source), offset, length);
    }

    /** SendPacket: destination key ‖ packet. */
    public static Buffer sendPacket(NodeKey destination, Buffer packet) {
        Buffer frame = header(FrameType.SEND_PACKET, DerpLimits.KEY_LEN + packet.length());
        return destination.appendTo(frame).appendBuffer(packet);
    }

    /** ForwardPacket: source key ‖ destination key ‖ packet. */
    public static Buffer forwardPacket(NodeKey source, NodeKey destination, Buffer packet) {
        Buffer frame = header(FrameType.FORWARD_PACKET, 2 * DerpLimits.KEY_LEN + packet.length());
        return destination.appendTo(source.appendTo(frame)).appendBuffer(packet);
    }

    /** PeerGone with the reason byte, the 33-byte form every client since v1.30 accepts. */
    public static Buffer peerGone(NodeKey peer, PeerGoneReason reason) {
        return peer.appendTo(header(FrameType.PEER_GONE, DerpLimits.PEER_GONE_LEN)).appendByte((byte) reason.code());
    }

    /** PeerPresent in the 51-byte form: key ‖ IPv6 or IPv4-mapped address ‖ port ‖ flags. */
    public static Buffer peerPresent(NodeKey peer, InetAddress address, int port, int flags) {
        Buffer frame = peer.appendTo(header(FrameType.PEER_PRESENT, DerpLimits.PEER_PRESENT_LEN));
        byte[] raw = address == null ? new byte[4] : address.getAddress();
        if (address == null || address instanceof Inet4Address) {
            frame.appendBytes(new byte[10]).appendByte((byte) 0xff).appendByte((byte) 0xff);
        }
        return frame.appendBytes(raw).appendUnsignedShort(port).appendByte((byte) flags);
    }

    public static Buffer keepAlive() {
        return KEEP_ALIVE_FRAME;
    }

    public static Buffer ping(Buffer data) {
        return frame(FrameType.PING, data);
    }

    public static Buffer pong(Buffer data) {
        return frame(FrameType.PONG, data);
    }

    public static Buffer notePreferred(boolean preferred) {
        return header(FrameType.NOTE_PREFERRED, 1).appendByte((byte) (preferred ? 1 : 0));
    }

    public static Buffer watchConns() {
        return header(FrameType.WATCH_CONNS, 0);
    }

    public static Buffer closePeer(NodeKey peer) {
        return peer.appendTo(header(FrameType.CLOSE_PEER, DerpLimits.KEY_LEN));
    }

    public static Buffer restarting(long reconnectInMillis, long tryForMillis) {
        return header(FrameType.RESTARTING, DerpLimits.RESTARTING_LEN)
                .appendUnsignedInt(reconnectInMillis)
                .appendUnsignedInt(tryForMillis);
    }

    /** ClientInfo: client public key ‖ nonce ‖ box(JSON), sealed to the server key. */
    public static Buffer clientInfo(NodePrivateKey client, NodeKey server, ClientInfo info) {
        byte[] sealed = NaclBox.sealWithRandomNonce(info.toJson(), client, server);
        Buffer frame = header(FrameType.CLIENT_INFO, DerpLimits.KEY_LEN + sealed.length);
        return client.publicKey().appendTo(frame).appendBytes(sealed);
    }

    /** ServerInfo: nonce ‖ box(JSON), sealed to the client key. */
    public static Buffer serverInfo(NodePrivateKey server, NodeKey client, ServerInfo info) {
        return frame(FrameType.SERVER_INFO, NaclBox.sealWithRandomNonce(info.toJson(), server, client));
    }
}
