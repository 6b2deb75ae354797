package dev.switchboard.auth;

/** A refused token. The message is the reason's detail, safe to return (no token content). */
public final class AuthenticationException extends Exception {
    private final TokenRejection reason;

    public AuthenticationException(TokenRejection reason) {
        super(reason.detail(), null, false, false);
        this.reason = reason;
    }

    public TokenRejection reason() {
        return reason;
    }
}
