package dev.switchboard.tailnet.speedtest;

/** Which way the data flows, from the client's view; the wire value is the ordinal ({@code Download = iota}). */
public enum Direction {
    DOWNLOAD, UPLOAD;

    /** The server does the opposite of what the client asked ({@code Direction.Reverse}). */
    Direction reverse() {
        return this == DOWNLOAD ? UPLOAD : DOWNLOAD;
    }

    /** {@code download} or {@code upload}, as {@code Direction.String}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
