package dev.switchboard.abuse;

import dev.switchboard.derp.NodePrivateKey;
import dev.switchboard.derp.client.DerpClient;
import dev.switchboard.derp.client.DerpClientOptions;
import dev.switchboard.testing.TestRelay;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connect/disconnect churn leaves nothing behind: after {@code churn.cycles} (default 100,000) DERP sessions opened
 * and closed in batches, the relay holds no connection, and heap after GC and open file descriptors are back near
 * their baseline taken after a warm-up.
 */
class DerpChurnTest {
    private static final int CYCLES = Integer.getInteger("churn.cycles", 100_000);
    private static final int BATCH = 200;

    @Test
    void connectDisconnectCyclesLeakNothing() throws Exception {
        try (TestRelay relay = TestRelay.start()) {
            URI url = URI.create("http://127.0.0.1:" + relay.port() + "/derp");
            cycles(relay, url, 2_000); // warm-up: JIT, pools, key caches
            long heapBefore = heapAfterGc();
            long fdsBefore = openFds();
            long start = System.nanoTime();
            cycles(relay, url, CYCLES);
            double seconds = (System.nanoTime() - start) / 1e9;
            await().atMost(Duration.ofSeconds(30)).until(() -> relay.server().connectionCount() == 0);
            long heapAfter = heapAfterGc();
            long fdsAfter = openFds();
            System.out.printf("churn: %d cycles in %.1f s (%.0f/s); heap %d → %d MiB; fds %d → %d%n", CYCLES, seconds,
                    CYCLES / seconds, heapBefore >> 20, heapAfter >> 20, fdsBefore, fdsAfter);
            assertEquals(0, relay.server().connectionCount());
            assertTrue(heapAfter < heapBefore + (64L << 20), "heap grew from " + heapBefore + " to " + heapAfter);
            await().atMost(Duration.ofSeconds(10)).until(() -> openFds() <= fdsBefore + 16);
        }
    }

    private static void cycles(TestRelay relay, URI url, int count) {
        for (int done = 0; done < count; done += BATCH) {
            List<Future<DerpClient>> opening = new ArrayList<>();
            for (int i = 0; i < Math.min(BATCH, count - done); i++) {
                opening.add(DerpClient.connect(relay.vertx(), DerpClientOptions.of(url, NodePrivateKey.generate())));
            }
            List<Future<Void>> closing = new ArrayList<>();
            for (Future<DerpClient> client : opening) {
                closing.add(TestRelay.await(client).close());
            }
            closing.forEach(TestRelay::await);
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
