/*
 * A userspace "netem" for kernels built without sch_netem (this VM's: CONFIG_NET_SCH_NETEM is not set): an
 * Ethernet wire between two interfaces that copies every frame across through AF_PACKET sockets, dropping a
 * given fraction at random and holding the rest for a fixed delay, separately per direction. Run it in a namespace
 * that owns both interfaces and has no IP configuration on them (it is a wire, not a router).
 *
 *   wire IF1 IF2 DELAY12_MS LOSS12_PCT DELAY21_MS LOSS21_PCT [LIMIT]
 *
 * LIMIT (default 10000) bounds the frames held per direction, like netem's `limit`; a frame that finds the queue
 * full is dropped and counted. Offloads must be off on every interface of the path (ethtool -K … tso off gso off
 * gro off tx off): a GSO super-frame cannot be sent back out, and a frame whose checksum was left to the hardware
 * would reach the far end unfinished. On SIGINT/SIGTERM it prints its counters and exits.
 *
 * Build: cc -O2 -o wire wire.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SNAP 2048

struct slot {
    uint64_t due_ns;
    uint32_t len;
    unsigned char data[SNAP];
};

struct direction {
    int in, out;
    uint64_t delay_ns;
    uint32_t loss_threshold; /* drop when a 32-bit random number is below it */
    struct slot *ring;
    uint32_t cap, head, count;
    uint64_t passed, dropped_loss, dropped_full, send_errors;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig) { (void) sig; stop = 1; }

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* xorshift64*: the loss decision needs speed and independence between frames, not cryptographic quality. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rng32(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t) ((rng_state * 0x2545f4914f6cdd1du) >> 32);
}

static int open_port(const char *ifname) {
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
    if (fd < 0) { perror("socket(AF_PACKET)"); exit(1); }
    struct sockaddr_ll sll = {0};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = (int) if_nametoindex(ifname);
    if (sll.sll_ifindex == 0) { fprintf(stderr, "no interface %s\n", ifname); exit(1); }
    if (bind(fd, (struct sockaddr *) &sll, sizeof sll) < 0) { perror("bind"); exit(1); }
    /* Our own sends on this port must not come back as input. */
    int one = 1;
    if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0) {
        perror("PACKET_IGNORE_OUTGOING"); exit(1);
    }
    int buf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    return fd;
}

static void init_direction(struct direction *d, int in, int out, double delay_ms, double loss_pct, uint32_t cap) {
    memset(d, 0, sizeof *d);
    d->in = in;
    d->out = out;
    d->delay_ns = (uint64_t) (delay_ms * 1e6);
    d->loss_threshold = (uint32_t) (loss_pct / 100.0 * 4294967295.0);
    d->cap = cap;
    d->ring = calloc(cap, sizeof(struct slot));
    if (!d->ring) { perror("calloc"); exit(1); }
}

/* Reads whatever is waiting on d->in into the delay queue (or drops it). */
static void take(struct direction *d, uint64_t now) {
    for (int burst = 0; burst < 256; burst++) {
        uint32_t tail = (d->head + d->count) % d->cap;
        struct slot *s = &d->ring[tail];
        ssize_t n = recv(d->in, s->data, SNAP, MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0) { return; }
        if (n > SNAP) { d->dropped_full++; continue; } /* cannot happen with offloads off */
        if (d->loss_threshold && rng32() < d->loss_threshold) { d->dropped_loss++; continue; }
        if (d->count == d->cap) { d->dropped_full++; continue; }
        s->len = (uint32_t) n;
        s->due_ns = now + d->delay_ns;
        d->count++;
    }
}

/* Sends every queued frame whose time has come; returns the due time of the next one, or 0. */
static uint64_t give(struct direction *d, uint64_t now) {
    while (d->count) {
        struct slot *s = &d->ring[d->head];
        if (s->due_ns > now) { return s->due_ns; }
        if (send(d->out, s->data, s->len, 0) < 0) {
            if (errno == EAGAIN || errno == ENOBUFS) { return now + 20000; } /* retry in 20 µs */
            d->send_errors++;
        } else {
            d->passed++;
        }
        d->head = (d->head + 1) % d->cap;
        d->count--;
    }
    return 0;
}

static void report(const char *name, const struct direction *d) {
    fprintf(stderr, "%s: passed %llu, lost %llu, queue full %llu, send errors %llu\n", name,
            (unsigned long long) d->passed, (unsigned long long) d->dropped_loss,
            (unsigned long long) d->dropped_full, (unsigned long long) d->send_errors);
}

int main(int argc, char **argv) {
    if (argc != 7 && argc != 8) {
        fprintf(stderr, "usage: %s IF1 IF2 DELAY12_MS LOSS12_PCT DELAY21_MS LOSS21_PCT [LIMIT]\n", argv[0]);
        return 2;
    }
    uint32_t cap = argc == 8 ? (uint32_t) strtoul(argv[7], NULL, 10) : 10000;
    rng_state ^= (uint64_t) getpid() << 32 ^ now_ns();
    int a = open_port(argv[1]), b = open_port(argv[2]);
    struct direction ab, ba;
    init_direction(&ab, a, b, atof(argv[3]), atof(argv[4]), cap);
    init_direction(&ba, b, a, atof(argv[5]), atof(argv[6]), cap);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    struct pollfd fds[2] = {{.fd = a, .events = POLLIN}, {.fd = b, .events = POLLIN}};
    while (!stop) {
        uint64_t now = now_ns();
        take(&ab, now);
        take(&ba, now);
        uint64_t next1 = give(&ab, now), next2 = give(&ba, now);
        uint64_t next = next1 && (!next2 || next1 < next2) ? next1 : next2;
        int timeout_ms = -1;
        if (next) {
            uint64_t wait = next > now ? next - now : 0;
            timeout_ms = (int) (wait / 1000000u);
            if (timeout_ms == 0 && wait > 0) {
                /* poll's millisecond granularity would add up to 1 ms to a sub-millisecond wait. */
                struct timespec ts = {0, (long) wait};
                if (poll(fds, 2, 0) == 0) { nanosleep(&ts, NULL); }
                continue;
            }
        }
        poll(fds, 2, timeout_ms);
    }
    report(argv[1], &ab);
    report(argv[2], &ba);
    return 0;
}
