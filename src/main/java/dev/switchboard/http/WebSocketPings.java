package dev.switchboard.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/**
 * Pings for long-lived server WebSockets (coordination, DERP map stream): a quiet stream must outlive the HTTP idle
 * timeout and proxies in between, and Coder pings its coordinate sockets at this interval too.
 */
public final class WebSocketPings {
    static final long INTERVAL_MILLIS = 15_000;

    private WebSocketPings() {
    }

    /** Starts pinging {@code ws} from its own context; run the returned action when the socket closes. */
    public static Runnable start(ServerWebSocket ws, String payload) {
        Vertx vertx = Vertx.currentContext().owner();
        Buffer ping = Buffer.buffer(payload);
        long timer = vertx.setPeriodic(INTERVAL_MILLIS, id -> ws.writePing(ping));
        return () -> vertx.cancelTimer(timer);
    }
}
