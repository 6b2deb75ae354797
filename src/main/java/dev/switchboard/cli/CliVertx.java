package dev.switchboard.cli;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The Vert.x of a command that runs without Quarkus (peers, bench tools), on the native transport as the server's
 * is ({@code quarkus.vertx.prefer-native-transport}): with epoll the magic socket reads a batch of datagrams per
 * {@code recvmmsg} and writes a batch per {@code sendmmsg}, where NIO makes a system call per datagram.
 */
final class CliVertx {
    private CliVertx() {
    }

    static Vertx create() {
        return Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    }
}
