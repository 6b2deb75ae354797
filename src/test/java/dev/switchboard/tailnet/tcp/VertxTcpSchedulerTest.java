package dev.switchboard.tailnet.tcp;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VertxTcpSchedulerTest {
    @Test
    void aLaterRequestReplacesTheEarlierWakeUpAndFiresOnTheContext() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            CompletableFuture<String> woke = new CompletableFuture<>();
            int[] wakes = {0};
            vertx.runOnContext(v -> {
                VertxTcpScheduler s = new VertxTcpScheduler(vertx, id -> {
                    wakes[0]++;
                    woke.complete(Thread.currentThread().getName());
                });
                long now = s.nanoTime();
                s.wakeAt(now + TimeUnit.SECONDS.toNanos(30)); // replaced below, never fires
                s.wakeAt(now + TimeUnit.MILLISECONDS.toNanos(20));
            });
            String thread = woke.get(10, TimeUnit.SECONDS);
            assertTrue(thread.startsWith("vert.x-eventloop"), thread);
            assertEquals(1, wakes[0]);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
