package dev.switchboard.config;

import java.net.URI;

/**
 * A setting has a value Switchboard cannot use. The message is one line that names the environment variable, its
 * value (secrets redacted by the caller, URL credentials and queries here) and the reason; {@code cli.SwitchboardMain}
 * prints it as it is.
 */
public final class ConfigException extends RuntimeException {
    /** {@code VAR=value is invalid: expected …}: the value is malformed. */
    public ConfigException(String variable, String value, String expected) {
        this(variable + "=" + value + " is invalid: expected " + expected);
    }

    private ConfigException(String message) {
        super(oneLine(message));
    }

    /**
     * {@code VAR=value cannot be used: reason}: the value is well formed but does not work here (a missing file, an
     * unreachable URL, an address in use).
     */
    public static ConfigException unusable(String variable, String value, String reason) {
        return new ConfigException(variable + "=" + value + " cannot be used: " + reason);
    }

    /** Two settings that exclude each other: {@code A=a and B=b are both set: reason}. */
    public static ConfigException conflict(String variable, String value, String otherVariable, String otherValue,
                                           String reason) {
        return new ConfigException(variable + "=" + value + " and " + otherVariable + "=" + otherValue
                + " are both set: " + reason);
    }

    /** A URL for a message: a password in its user info and its query (which may carry a token) are redacted. */
    public static String redactUrl(String url) {
        try {
            URI uri = URI.create(url.strip());
            String userInfo = uri.getRawUserInfo();
            String redacted = url.strip();
            if (userInfo != null && userInfo.contains(":")) {
                redacted = redacted.replace(userInfo + "@", userInfo.substring(0, userInfo.indexOf(':')) + ":<redacted>@");
            }
            String query = uri.getRawQuery();
            if (query != null) {
                redacted = redacted.replace("?" + query, "?<redacted>");
            }
            return redacted;
        } catch (IllegalArgumentException e) {
            return url;
        }
    }

    /** A reason taken from a library message may span lines; the message stays one. */
    private static String oneLine(String message) {
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
