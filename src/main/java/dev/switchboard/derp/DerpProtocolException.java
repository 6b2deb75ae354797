package dev.switchboard.derp;

/** A peer broke the DERP protocol; the connection that sent it is closed and nothing else changes. */
public final class DerpProtocolException extends Exception {
    private final String metricReason;

    /**
     * @param metricReason short snake_case label for the "closed by protocol error" counter
     * @param message      what went wrong, for the log line
     */
    public DerpProtocolException(String metricReason, String message) {
        super(message, null, false, false);
        this.metricReason = metricReason;
    }

    public String metricReason() {
        return metricReason;
    }
}
