package dev.switchboard.config;

/** A setting has a value Switchboard cannot use; the message names the environment variable and what it expects. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String variable, String value, String expected) {
        super(variable + "=" + value + " is invalid: expected " + expected);
    }
}
