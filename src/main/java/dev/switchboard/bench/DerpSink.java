package dev.switchboard.bench;

import dev.switchboard.derp.DerpLimits;
import dev.switchboard.derp.DerpProtocolException;
import dev.switchboard.derp.Frame;
import dev.switchboard.derp.FrameLimits;
import dev.switchboard.derp.FrameReader;
import dev.switchboard.derp.FrameType;
import dev.switchboard.derp.Frames;
import dev.switchboard.derp.Handshake;
import dev.switchboard.derp.NodeKey;
import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.ServerInfo;
import dev.switchboard.derp.transport.DerpUpgradeHandler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A DERP endpoint that completes the handshake and then discards every packet, counting them: it measures what
 * the load tool itself can push, with no relay in the way.
 */
public final class DerpSink implements AutoCloseable {
    private final NetServer server;
    private final NodePrivateKey key = NodePrivateKey.generate();
    private volatile Tally tally;

    public DerpSink(Vertx vertx) throws Exception {
        server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setTcpNoDelay(true));
        server.connectHandler(socket -> {
            FrameReader reader = new FrameReader(FrameLimits.SERVER_HANDSHAKE);
            boolean[] upgraded = {false};
            Buffer head = Buffer.buffer();
            socket.handler(chunk -> {
                Buffer data = chunk;
                if (!upgraded[0]) {
                    head.appendBuffer(chunk);
                    int end = head.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
                    if (end < 0) {
                        return;
                    }
                    upgraded[0] = true;
                    socket.write(DerpUpgradeHandler.switchingProtocols(key.publicKey()).appendBuffer(Frames.serverKey(key.publicKey())));
                    data = head.getBuffer(end + 4, head.length());
                }
                reader.append(data);
                try {
                    Frame frame;
                    while ((frame = reader.poll()) != null) {
                        if (frame.type() == FrameType.CLIENT_INFO) {
                            var opened = Handshake.openClientInfo(key, frame.payload());
                            socket.write(Frames.serverInfo(key, opened.clientKey(), ServerInfo.current()));
                            reader.limits(FrameLimits.SERVER);
                        } else if (frame.type() == FrameType.SEND_PACKET && tally != null
                                && frame.payload().length() >= DerpLimits.KEY_LEN + Long.BYTES) {
                            tally.arrived(frame.payload().getLong(DerpLimits.KEY_LEN), System.nanoTime());
                        }
                    }
                } catch (DerpProtocolException e) {
                    socket.close();
                }
            });
        });
        server.listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/derp";
    }

    /** Where arriving packets are counted: the load run's tally, as if the sink were its receivers. */
    void countInto(Tally tally) {
        this.tally = tally;
    }

    /** Any key: the sink accepts packets for everyone. */
    NodeKey destination() {
        return key.publicKey();
    }

    @Override
    public void close() {
        server.close();
    }
}
