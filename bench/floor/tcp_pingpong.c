/*
 * The machine's floor for relay latency, without a JVM: round trips of a 64-byte message over loopback TCP
 * between two processes, one message in flight, 200 us apart (like `bench derp-latency`). A relayed round trip
 * crosses four such one-way hops (A -> relay -> B -> relay -> A), so its p50 cannot beat two of these.
 *
 *   gcc -O2 -o /tmp/tcp_pingpong bench/floor/tcp_pingpong.c
 *   /tmp/tcp_pingpong 20000          # scheduler's choice of CPUs
 *   /tmp/tcp_pingpong 20000 0 0      # both ends on CPU 0: a wake-up without an inter-processor interrupt
 *   /tmp/tcp_pingpong 20000 0 1      # ends on CPUs 0 and 1: every hop wakes the other CPU
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MESSAGE 64

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void pin(int cpu) {
    if (cpu < 0) {
        return;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        perror("sched_setaffinity");
        exit(2);
    }
}

static void no_delay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Reads exactly MESSAGE bytes; TCP may split them. */
static int read_message(int fd, char *buffer) {
    int got = 0;
    while (got < MESSAGE) {
        ssize_t n = read(fd, buffer + got, MESSAGE - got);
        if (n <= 0) {
            return -1;
        }
        got += (int) n;
    }
    return 0;
}

static int by_value(const void *a, const void *b) {
    long x = *(const long *) a, y = *(const long *) b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 2 && argc != 4) {
        fprintf(stderr, "usage: %s ROUNDS [CPU_A CPU_B]\n", argv[0]);
        return 2;
    }
    int rounds = atoi(argv[1]);
    int cpu_a = argc == 4 ? atoi(argv[2]) : -1;
    int cpu_b = argc == 4 ? atoi(argv[3]) : -1;
    char buffer[MESSAGE] = {0};

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    if (bind(listener, (struct sockaddr *) &address, sizeof address) != 0 || listen(listener, 1) != 0
            || getsockname(listener, (struct sockaddr *) &address, &length) != 0) {
        perror("listen");
        return 2;
    }
    pid_t echo = fork();
    if (echo == 0) {
        pin(cpu_b);
        int peer = accept(listener, NULL, NULL);
        no_delay(peer);
        while (read_message(peer, buffer) == 0 && write(peer, buffer, MESSAGE) == MESSAGE) {
        }
        return 0;
    }
    pin(cpu_a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *) &address, sizeof address) != 0) {
        perror("connect");
        return 2;
    }
    no_delay(fd);
    long *samples = malloc(sizeof(long) * rounds);
    for (int i = 0; i < rounds; i++) {
        long start = now_ns();
        if (write(fd, buffer, MESSAGE) != MESSAGE || read_message(fd, buffer) != 0) {
            perror("round trip");
            return 1;
        }
        samples[i] = now_ns() - start;
        usleep(200);
    }
    close(fd);
    waitpid(echo, NULL, 0);
    qsort(samples, rounds, sizeof(long), by_value);
    printf("tcp round trip, %d rounds, cpus %d/%d: p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us\n", rounds,
            cpu_a, cpu_b, samples[rounds / 2] / 1e3, samples[rounds * 9 / 10] / 1e3, samples[rounds * 99 / 100] / 1e3,
            samples[rounds - 1] / 1e3);
    return 0;
}
