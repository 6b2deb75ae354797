package dev.switchboard.stun;

import dev.switchboard.metrics.HotPathCounter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * STUN counters, as derper's {@code stun} set: requests by disposition and answered requests by address family.
 * Prometheus: {@code switchboard_stun_requests_total{disposition}}, {@code switchboard_stun_responses_total{family}},
 * and the bytes behind the amplification bound ({@link ByteBudget}), {@code switchboard_stun_bytes_total{direction}}.
 * A valid request counts as {@code success} and, if its answer could not go out, also as {@code write_error} (send
 * buffer full) or {@code over_budget} (dropped by the byte budget). Bumped for every datagram, so they are
 * {@link HotPathCounter}s.
 */
public final class StunMetrics {
    private final Map<StunCodec.Disposition, LongAdder> byDisposition = new EnumMap<>(StunCodec.Disposition.class);
    private final LongAdder writeErrors;
    private final LongAdder overBudget;
    private final LongAdder bytesIn;
    private final LongAdder bytesOut;
    private final LongAdder ipv4;
    private final LongAdder ipv6;

    public StunMetrics(MeterRegistry registry) {
        for (StunCodec.Disposition disposition : StunCodec.Disposition.values()) {
            byDisposition.put(disposition, requests(registry, disposition.label()));
        }
        writeErrors = requests(registry, "write_error");
        overBudget = requests(registry, "over_budget");
        bytesIn = bytes(registry, "in");
        bytesOut = bytes(registry, "out");
        ipv4 = family(registry, "ipv4");
        ipv6 = family(registry, "ipv6");
    }

    private static LongAdder requests(MeterRegistry registry, String disposition) {
        return HotPathCounter.register(registry, "switchboard.stun.requests", null,
                "STUN datagrams received, by what became of them", "disposition", disposition);
    }

    private static LongAdder family(MeterRegistry registry, String family) {
        return HotPathCounter.register(registry, "switchboard.stun.responses", null,
                "STUN Binding responses sent, by the client's address family", "family", family);
    }

    private static LongAdder bytes(MeterRegistry registry, String direction) {
        return HotPathCounter.register(registry, "switchboard.stun.bytes", "bytes",
                "STUN datagram payload bytes received (in) and sent (out)", "direction", direction);
    }

    void received(StunCodec.Disposition disposition, int bytes) {
        byDisposition.get(disposition).increment();
        bytesIn.add(bytes);
    }

    void answered(boolean ipv4Client, int bytes) {
        (ipv4Client ? ipv4 : ipv6).increment();
        bytesOut.add(bytes);
    }

    void droppedOverBudget() {
        overBudget.increment();
    }

    void writeError() {
        writeErrors.increment();
    }

    public double count(StunCodec.Disposition disposition) {
        return byDisposition.get(disposition).sum();
    }

    public double writeErrors() {
        return writeErrors.sum();
    }

    public double overBudget() {
        return overBudget.sum();
    }

    /** Payload bytes received ({@code in}) or sent ({@code out}). */
    public long bytes(String direction) {
        return (direction.equals("in") ? bytesIn : bytesOut).sum();
    }

    public double answered(String family) {
        return (family.equals("ipv4") ? ipv4 : ipv6).sum();
    }
}
