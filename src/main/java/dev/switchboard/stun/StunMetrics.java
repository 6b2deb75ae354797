package dev.switchboard.stun;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Map;

/**
 * STUN counters, as derper's {@code stun} set: requests by disposition and answered requests by address family.
 * Prometheus: {@code switchboard_stun_requests_total{disposition}}, {@code switchboard_stun_responses_total{family}}.
 */
public final class StunMetrics {
    private final Map<StunCodec.Disposition, Counter> byDisposition = new EnumMap<>(StunCodec.Disposition.class);
    private final Counter writeErrors;
    private final Counter ipv4;
    private final Counter ipv6;

    public StunMetrics(MeterRegistry registry) {
        for (StunCodec.Disposition disposition : StunCodec.Disposition.values()) {
            byDisposition.put(disposition, requests(registry, disposition.label()));
        }
        writeErrors = requests(registry, "write_error");
        ipv4 = family(registry, "ipv4");
        ipv6 = family(registry, "ipv6");
    }

    private static Counter requests(MeterRegistry registry, String disposition) {
        return Counter.builder("switchboard.stun.requests").tag("disposition", disposition)
                .description("STUN datagrams received, by what became of them").register(registry);
    }

    private static Counter family(MeterRegistry registry, String family) {
        return Counter.builder("switchboard.stun.responses").tag("family", family)
                .description("STUN Binding responses sent, by the client's address family").register(registry);
    }

    void received(StunCodec.Disposition disposition) {
        byDisposition.get(disposition).increment();
    }

    void answered(boolean ipv4Client) {
        (ipv4Client ? ipv4 : ipv6).increment();
    }

    void writeError() {
        writeErrors.increment();
    }

    public double count(StunCodec.Disposition disposition) {
        return byDisposition.get(disposition).count();
    }

    public double writeErrors() {
        return writeErrors.count();
    }

    public double answered(String family) {
        return (family.equals("ipv4") ? ipv4 : ipv6).count();
    }
}
