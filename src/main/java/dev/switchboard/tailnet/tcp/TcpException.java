package dev.switchboard.tailnet.tcp;

import java.io.IOException;

/** A connection failed: reset, refused, timed out, or refused by a {@link TcpStack} limit. */
public final class TcpException extends IOException {
    public TcpException(String message) {
        super(message, null);
    }
}
