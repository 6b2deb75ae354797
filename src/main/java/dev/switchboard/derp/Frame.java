package dev.switchboard.derp;

import io.vertx.core.buffer.Buffer;

/** One decoded frame: its type and payload (a slice of the received bytes, header removed). */
public record Frame(FrameType type, Buffer payload) {
}
