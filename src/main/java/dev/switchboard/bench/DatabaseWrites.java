package dev.switchboard.bench;

import dev.switchboard.config.PgConnectionUrl;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How much one database writes, from {@code pg_stat_database} sampled on a thread of its own over JDBC (a blocking
 * driver is fine here: the bench has no event loop on this thread): commits and rows written ({@code tup_inserted +
 * tup_updated + tup_deleted}). The sampler connects to the server's own database, so its queries are not counted
 * in the database it watches. PostgreSQL 15+ backends flush their counters when idle at most once a second
 * ({@code PGSTAT_MIN_INTERVAL}), so a write shows up to ~1 s late and the rate of one short interval is smeared
 * over its neighbours; totals over a window that ends quiet are exact.
 */
public final class DatabaseWrites implements AutoCloseable {
    /** Counters since the statistics were reset, at {@code System.nanoTime()} {@code nanos}. */
    public record Sample(long nanos, long commits, long rows) {
    }

    /**
     * Writes over a window: totals, and the highest rate between two consecutive samples.
     *
     * @param seconds the window's length, from its first sample to its last
     */
    public record Window(double seconds, long commits, long rows, double peakCommitsPerSecond, double peakRowsPerSecond) {
        public double rowsPerSecond() {
            return seconds > 0 ? rows / seconds : 0;
        }

        public double commitsPerSecond() {
            return seconds > 0 ? commits / seconds : 0;
        }
    }

    private final Connection connection;
    private final PreparedStatement query;
    private final Duration interval;
    /** Guarded by itself. */
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    private DatabaseWrites(Connection connection, String database, Duration interval) throws SQLException {
        this.connection = connection;
        this.interval = interval;
        query = connection.prepareStatement("SELECT xact_commit, tup_inserted + tup_updated + tup_deleted"
                + " FROM pg_stat_database WHERE datname = ?");
        query.setString(1, database);
        thread = Thread.ofPlatform().daemon().name("database-writes").unstarted(this::loop);
    }

    /** Starts sampling {@code database} every {@code interval} through the server of {@code server}. */
    public static DatabaseWrites start(PgConnectionUrl server, String database, Duration interval) throws SQLException {
        DatabaseWrites writes = new DatabaseWrites(DriverManager.getConnection(server.jdbcUrl(), server.user(),
                server.password()), database, interval);
        writes.sample();
        writes.thread.start();
        return writes;
    }

    private void loop() {
        while (!stopped) {
            try {
                Thread.sleep(interval);
                sample();
            } catch (InterruptedException e) {
                return;
            } catch (SQLException e) {
                if (!stopped) {
                    System.err.println("pg_stat_database sample failed: " + e.getMessage());
                }
            }
        }
    }

    private void sample() throws SQLException {
        try (ResultSet row = query.executeQuery()) {
            if (row.next()) {
                Sample sample = new Sample(System.nanoTime(), row.getLong(1), row.getLong(2));
                synchronized (samples) {
                    samples.add(sample);
                }
            }
        }
    }

    /** The samples taken from {@code fromNanos} to {@code toNanos} ({@code System.nanoTime()}), in order. */
    public List<Sample> between(long fromNanos, long toNanos) {
        synchronized (samples) {
            return samples.stream().filter(s -> s.nanos() >= fromNanos && s.nanos() <= toNanos).toList();
        }
    }

    /** What was written between the first and the last sample of {@code window}. */
    public static Window of(List<Sample> window) {
        if (window.size() < 2) {
            return new Window(0, 0, 0, 0, 0);
        }
        double peakCommits = 0;
        double peakRows = 0;
        for (int i = 1; i < window.size(); i++) {
            Sample before = window.get(i - 1);
            Sample after = window.get(i);
            double seconds = (after.nanos() - before.nanos()) / 1e9;
            peakCommits = Math.max(peakCommits, (after.commits() - before.commits()) / seconds);
            peakRows = Math.max(peakRows, (after.rows() - before.rows()) / seconds);
        }
        Sample first = window.getFirst();
        Sample last = window.getLast();
        return new Window((last.nanos() - first.nanos()) / 1e9, last.commits() - first.commits(),
                last.rows() - first.rows(), peakCommits, peakRows);
    }

    @Override
    public void close() throws Exception {
        stopped = true;
        thread.interrupt();
        thread.join(5000);
        connection.close();
    }
}
