package dev.switchboard.coordinator;

/** A request that ends the peer's stream; the message is sent as {@code CoordinateResponse.error}. */
public final class CoordinationException extends Exception {
    public CoordinationException(String message) {
        super(message, null, false, false);
    }
}
