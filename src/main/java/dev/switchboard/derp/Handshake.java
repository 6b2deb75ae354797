package dev.switchboard.derp;

import io.vertx.core.buffer.Buffer;

import java.util.Arrays;

/** Opens the sealed halves of the DERP handshake (Tailscale's `derp/derp_server.go` recvClientKey, `derp/derp_client.go` recvServerKey). Pure functions. */
public final class Handshake {
    private Handshake() {
    }

    /** A ClientInfo frame opened with the server key: who the client is and what it asked for. */
    public record OpenedClientInfo(NodeKey clientKey, ClientInfo info) {
    }

    /**
     * Opens a ClientInfo payload: client key(32) ‖ nonce(24) ‖ box.
     *
     * @throws DerpProtocolException if the box does not open or its JSON is invalid
     */
    public static OpenedClientInfo openClientInfo(NodePrivateKey server, Buffer payload) throws DerpProtocolException {
        byte[] bytes = payload.getBytes();
        if (bytes.length < DerpLimits.MIN_CLIENT_INFO_LEN) {
            throw new DerpProtocolException("bad_client_info", "ClientInfo frame too short: " + bytes.length);
        }
        NodeKey clientKey = NodeKey.of(Arrays.copyOfRange(bytes, 0, DerpLimits.KEY_LEN));
        byte[] nonce = Arrays.copyOfRange(bytes, DerpLimits.KEY_LEN, DerpLimits.MIN_CLIENT_INFO_LEN);
        byte[] json;
        try {
            json = NaclBox.open(bytes, DerpLimits.MIN_CLIENT_INFO_LEN, bytes.length - DerpLimits.MIN_CLIENT_INFO_LEN,
                    nonce, server, clientKey);
        } catch (NaclBox.BoxOpenException | IllegalArgumentException e) {
            throw new DerpProtocolException("box_open_failed",
                    "msgbox: cannot open len=" + bytes.length + " with client key " + clientKey.shortString());
        }
        return new OpenedClientInfo(clientKey, ClientInfo.parse(json));
    }

    /** Opens a ServerInfo payload: nonce(24) ‖ box, sealed by the server to this client ({@link ServerFrames}). */
    public static ServerInfo openServerInfo(NodePrivateKey client, NodeKey server, Buffer payload)
            throws DerpProtocolException {
        return ServerFrames.serverInfo(payload).open(client, server);
    }

    /** Reads the server key from a ServerKey payload after checking the magic ({@link ServerFrames}). */
    public static NodeKey parseServerKey(Buffer payload) throws DerpProtocolException {
        return ServerFrames.serverKey(payload);
    }
}
