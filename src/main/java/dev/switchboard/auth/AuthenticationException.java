package dev.switchboard.auth;

/** A missing, malformed, wrongly signed or expired token. The message is safe to return (no token content). */
public final class AuthenticationException extends Exception {
    public AuthenticationException(String message) {
        super(message, null, false, false);
    }
}
