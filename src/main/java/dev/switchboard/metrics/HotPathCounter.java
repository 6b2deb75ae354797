package dev.switchboard.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters bumped once or more per packet: a {@link LongAdder} that Micrometer reads when scraped. Incrementing a
 * registered {@code Counter} goes through Quarkus's composite registry, which allocates an iterator on every call.
 * Prometheus sees the same {@code _total} counter either way.
 */
public final class HotPathCounter {
    private HotPathCounter() {
    }

    /** Registers {@code name} (with {@code baseUnit}, may be null, and tag key/value pairs) and returns its adder. */
    public static LongAdder register(MeterRegistry registry, String name, String baseUnit, String description,
                                     String... tags) {
        LongAdder adder = new LongAdder();
        FunctionCounter.builder(name, adder, LongAdder::sum).baseUnit(baseUnit).description(description).tags(tags)
                .register(registry);
        return adder;
    }
}
