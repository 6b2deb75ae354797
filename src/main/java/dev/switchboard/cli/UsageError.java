package dev.switchboard.cli;

/** A mistake the user can fix: printed as {@code switchboard: <option>: <what it expects>}, exit status 2. */
public final class UsageError extends RuntimeException {
    private final String option;

    public UsageError(String option, String expected) {
        super(expected, null, false, false); // no stack: the message is the whole story
        this.option = option;
    }

    public String line() {
        return "switchboard: " + option + ": " + getMessage();
    }
}
