package dev.switchboard.auth;

import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Why a session token was refused, as an operator needs to tell a clock problem from a wrong key. The detail goes
 * to the client and the reason label to metrics; neither carries token content.
 */
public enum TokenRejection {
    MISSING("no session token was sent"),
    MALFORMED("the token is not a well-formed signed JWT"),
    BAD_SIGNATURE("the token's signature does not verify with the configured key"),
    UNKNOWN_KEY("the token is signed with a key the server does not know (kid not in the key set)"),
    EXPIRED("the token has expired (beyond the allowed clock skew)"),
    NOT_YET_VALID("the token is not valid yet (nbf or iat ahead of the server clock beyond the allowed skew)"),
    WRONG_ISSUER("the token's issuer (iss) is not the one this server requires"),
    WRONG_AUDIENCE("the token's audience (aud) does not include the one this server requires"),
    INVALID_CLAIMS("token claims are invalid: sub must be a UUID, role agent, user or admin"),
    INVALID_RESUME_TOKEN("Invalid resume token");

    private final String detail;

    TokenRejection(String detail) {
        this.detail = detail;
    }

    public String detail() {
        return detail;
    }

    /** Metric label: lower snake case of the name. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Classifies a parser failure by jose4j's error codes (`org.jose4j.jwt.consumer.ErrorCodes`). */
    static TokenRejection of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnresolvableKeyException) {
                return UNKNOWN_KEY;
            }
            if (t instanceof InvalidJwtException invalid) {
                return of(invalid);
            }
        }
        return MALFORMED;
    }

    private static TokenRejection of(InvalidJwtException invalid) {
        if (invalid.hasExpired()) {
            return EXPIRED;
        }
        if (invalid.hasErrorCode(ErrorCodes.NOT_YET_VALID) || invalid.hasErrorCode(ErrorCodes.ISSUED_AT_INVALID_FUTURE)) {
            return NOT_YET_VALID;
        }
        if (invalid.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
            return BAD_SIGNATURE;
        }
        if (invalid.hasErrorCode(ErrorCodes.ISSUER_INVALID) || invalid.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
            return WRONG_ISSUER;
        }
        if (invalid.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || invalid.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
            return WRONG_AUDIENCE;
        }
        if (invalid.hasErrorCode(ErrorCodes.SUBJECT_MISSING) || invalid.hasErrorCode(ErrorCodes.EXPIRATION_MISSING)
                || invalid.hasErrorCode(ErrorCodes.MALFORMED_CLAIM)) {
            return INVALID_CLAIMS;
        }
        return MALFORMED;
    }
}
