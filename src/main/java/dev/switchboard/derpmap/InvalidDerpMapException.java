package dev.switchboard.derpmap;

/** A DERP map that cannot be served; the message says why in the words Coder uses where Coder has them. */
public final class InvalidDerpMapException extends RuntimeException {
    public InvalidDerpMapException(String message) {
        super(message);
    }
}
