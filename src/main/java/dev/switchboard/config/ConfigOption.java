package dev.switchboard.config;

/**
 * One {@code CODER_*} setting: its environment variable, the property it maps to, its default as documented, what
 * it means, and the value check applied at start-up.
 *
 * @param defaultValue the documented default, or null when the setting is unset by default
 * @param secret       the value is a secret: error messages give its length (a URL: all but its password), never the value
 */
public record ConfigOption(String env, String property, String defaultValue, String meaning, ValueCheck check,
                           boolean secret) {
    /** Validates a raw value; the message completes "expected …". */
    @FunctionalInterface
    public interface ValueCheck {
        /** @return null when valid, else what was expected */
        String problem(String value);
    }

    /** Fails with one line naming the variable, the value and what is expected. */
    public void validate(String raw) {
        validateAs(env, raw);
    }

    /** The same check for a value that came from elsewhere (e.g. a file named by {@code variable}). */
    public void validateAs(String variable, String raw) {
        String problem = check.problem(raw);
        if (problem != null) {
            throw new ConfigException(variable, secret ? redacted(raw) : raw, problem);
        }
    }

    /** A URL keeps everything but its password (so the operator sees what is wrong); other secrets only their length. */
    private static String redacted(String raw) {
        return raw.contains("://") ? PgConnectionUrl.redact(raw) : "<redacted, " + raw.length() + " characters>";
    }
}
