package dev.switchboard.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The replicas' own timing of their coordinator queries ({@code switchboard_coordinator_database_seconds} on each
 * management listener's {@code /q/metrics}), summed over replicas: what the database writes cost the replicas, and
 * whether any failed (a failed peer write is retried with backoff, which a storm's figures would otherwise hide).
 */
public final class DatabaseQueries {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern SERIES = Pattern.compile(
            "^switchboard_coordinator_database_seconds_(count|sum)\\{([^}]*)}\\s+(\\S+)", Pattern.MULTILINE);
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** {@code query/outcome} → {count, seconds}. */
    private final Map<String, double[]> series;

    private DatabaseQueries(Map<String, double[]> series) {
        this.series = series;
    }

    /** The counters of every replica now; a replica that does not answer counts nothing. */
    public static DatabaseQueries scrape(List<URI> management) {
        Map<String, double[]> series = new HashMap<>();
        for (URI uri : management) {
            try {
                String body = HTTP.send(HttpRequest.newBuilder(uri.resolve("/q/metrics")).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = SERIES.matcher(body);
                while (m.find()) {
                    Map<String, String> labels = new HashMap<>();
                    Matcher label = LABEL.matcher(m.group(2));
                    while (label.find()) {
                        labels.put(label.group(1), label.group(2));
                    }
                    double[] sums = series.computeIfAbsent(labels.get("query") + "/" + labels.get("outcome"),
                            k -> new double[2]);
                    sums[m.group(1).equals("count") ? 0 : 1] += Double.parseDouble(m.group(3));
                }
            } catch (Exception unreachable) {
                // A replica that is gone or slow to answer is left out rather than failing the run.
            }
        }
        return new DatabaseQueries(series);
    }

    /** What happened since {@code earlier}. */
    public DatabaseQueries since(DatabaseQueries earlier) {
        Map<String, double[]> delta = new HashMap<>();
        series.forEach((key, now) -> {
            double[] before = earlier.series.getOrDefault(key, new double[2]);
            delta.put(key, new double[]{now[0] - before[0], now[1] - before[1]});
        });
        return new DatabaseQueries(delta);
    }

    /** Successful {@code query}s. */
    public long count(String query) {
        return (long) series.getOrDefault(query + "/ok", new double[2])[0];
    }

    /** Their mean duration in milliseconds; 0 without any. */
    public double meanMillis(String query) {
        double[] ok = series.getOrDefault(query + "/ok", new double[2]);
        return ok[0] > 0 ? ok[1] / ok[0] * 1000 : 0;
    }

    /** Failed queries of any kind. */
    public long errors() {
        return (long) series.entrySet().stream().filter(e -> e.getKey().endsWith("/error"))
                .mapToDouble(e -> e.getValue()[0]).sum();
    }
}
