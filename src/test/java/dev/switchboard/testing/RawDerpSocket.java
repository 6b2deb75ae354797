package dev.switchboard.testing;

import dev.switchboard.derp.ClientInfo;
import dev.switchboard.derp.DerpLimits;
import dev.switchboard.derp.FrameType;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.Handshake;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodePrivateKey;
import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A blocking DERP client on a plain {@link Socket}, byte by byte: what a test needs to send exact bytes (fast-start
 * head and ClientInfo in one write, malformed frames) and to check exact responses.
 */
public final class RawDerpSocket implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final NodePrivateKey key = NodePrivateKey.generate();

    public RawDerpSocket(int port) {
        this(port, 0);
    }

    /** @param receiveBufferBytes a small receive buffer makes a slow reader fill up quickly; 0 keeps the default */
    public RawDerpSocket(int port, int receiveBufferBytes) {
        try {
            socket = new Socket();
            if (receiveBufferBytes > 0) {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            in = new DataInputStream(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public NodePrivateKey key() {
        return key;
    }

    public static String upgradeHead(String extraHeaders) {
        return "GET /derp HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: Go-http-client/1.1\r\n"
                + "Connection: Upgrade\r\nUpgrade: DERP\r\n" + extraHeaders + "\r\n";
    }

    public RawDerpSocket write(Buffer bytes) {
        try {
            socket.getOutputStream().write(bytes.getBytes());
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public RawDerpSocket write(String ascii) {
        return write(Buffer.buffer(ascii.getBytes(StandardCharsets.US_ASCII)));
    }

    /** Reads the HTTP response head, through the blank line. */
    public String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed before the end of the HTTP head: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads one whole frame, header included. */
    public Buffer readFrame() throws IOException {
        int type = in.readUnsignedByte();
        int length = in.readInt();
        byte[] payload = new byte[length];
        in.readFully(payload);
        return Buffer.buffer().appendByte((byte) type).appendInt(length).appendBytes(payload);
    }

    /** Upgrade, ServerKey, ClientInfo, ServerInfo: returns the server key. */
    public NodeKey handshake(ClientInfo info) throws Exception {
        write(upgradeHead(""));
        readHead();
        Buffer serverKeyFrame = readFrame();
        NodeKey serverKey = Handshake.parseServerKey(serverKeyFrame.getBuffer(5, serverKeyFrame.length()));
        write(Frames.clientInfo(key, serverKey, info));
        Buffer serverInfo = readFrame();
        if (serverInfo.getUnsignedByte(0) != FrameType.SERVER_INFO.code()) {
            throw new AssertionError("expected ServerInfo, got type " + serverInfo.getUnsignedByte(0));
        }
        Handshake.openServerInfo(key, serverKey, serverInfo.getBuffer(DerpLimits.FRAME_HEADER_LEN, serverInfo.length()));
        return serverKey;
    }

    /** True if the server closes the connection within {@code millis} (frames before the close are skipped). */
    public boolean closedWithin(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        try {
            InputStream stream = socket.getInputStream();
            byte[] sink = new byte[8192];
            while (System.currentTimeMillis() < deadline) {
                socket.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
                if (stream.read(sink) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
