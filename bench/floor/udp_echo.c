/*
 * The machine's ceiling for `bench stun`, without a JVM: a trivial UDP responder that answers every datagram with a
 * 32-byte Binding success (XOR-MAPPED-ADDRESS of the sender, RFC 8489 §14.2) and checks nothing, and a C load
 * client of the same shape as `bench stun` (S sockets, W requests in flight each, closed loop, the 40-byte Tailscale
 * request with SOFTWARE "tailnode" and a valid FINGERPRINT, so it also loads Switchboard's responder).
 *
 *   gcc -O2 -pthread -o /tmp/udp_echo bench/floor/udp_echo.c
 *   /tmp/udp_echo serve 3479 32          # responder on 127.0.0.1:3479, recvmmsg/sendmmsg batches of up to 32
 *   /tmp/udp_echo serve 3479 1           # one datagram per system call (derper's loop shape)
 *   /tmp/udp_echo serve 3479 32 2097152  # SO_RCVBUF 2 MiB, as CODER_STUN_RECEIVE_BUFFER (default: the kernel's)
 *   /tmp/udp_echo load 3479 100000 4 64  # C client: 100000 requests, 4 sockets x 64 in flight, against any port
 *
 * The Java tool against the C responder is the tool's own ceiling; the C client against it is the machine's.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BATCH_MAX 64
#define SLOT 1500

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* CRC-32 (IEEE), bitwise: the FINGERPRINT of RFC 8489 §14.7 is CRC-32 of the message before it XOR 0x5354554e. */
static uint32_t crc32(const unsigned char *p, size_t n) {
    uint32_t crc = 0xffffffffu;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
        }
    }
    return ~crc;
}

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* 20-byte header + XOR-MAPPED-ADDRESS (IPv4) for a request in `in` from `from`. */
static void answer(const unsigned char *in, const struct sockaddr_in *from, unsigned char *out) {
    static const unsigned char cookie[4] = {0x21, 0x12, 0xa4, 0x42};
    out[0] = 0x01; out[1] = 0x01; out[2] = 0x00; out[3] = 0x0c;
    memcpy(out + 4, in + 4, 16); /* cookie and transaction ID */
    out[20] = 0x00; out[21] = 0x20; out[22] = 0x00; out[23] = 0x08;
    out[24] = 0; out[25] = 1;
    uint16_t port = ntohs(from->sin_port) ^ 0x2112;
    out[26] = port >> 8; out[27] = port & 0xff;
    const unsigned char *ip = (const unsigned char *) &from->sin_addr.s_addr;
    for (int i = 0; i < 4; i++) {
        out[28 + i] = ip[i] ^ cookie[i];
    }
}

static int serve(int port, int batch, int rcvbuf) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0) {
        perror("SO_RCVBUF");
    }
    struct sockaddr_in addr = loopback(port);
    if (bind(fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
        perror("bind");
        return 1;
    }
    static unsigned char in[BATCH_MAX][SLOT], out[BATCH_MAX][32];
    struct sockaddr_in from[BATCH_MAX];
    struct iovec rio[BATCH_MAX], wio[BATCH_MAX];
    struct mmsghdr rmsg[BATCH_MAX], wmsg[BATCH_MAX];
    for (int i = 0; i < BATCH_MAX; i++) {
        rio[i] = (struct iovec) {in[i], SLOT};
        wio[i] = (struct iovec) {out[i], 32};
    }
    for (;;) {
        for (int i = 0; i < batch; i++) {
            memset(&rmsg[i], 0, sizeof rmsg[i]);
            rmsg[i].msg_hdr = (struct msghdr) {.msg_name = &from[i], .msg_namelen = sizeof from[i],
                    .msg_iov = &rio[i], .msg_iovlen = 1};
        }
        int n = recvmmsg(fd, rmsg, batch, MSG_WAITFORONE, NULL);
        if (n < 0) {
            perror("recvmmsg");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            answer(in[i], &from[i], out[i]);
            memset(&wmsg[i], 0, sizeof wmsg[i]);
            wmsg[i].msg_hdr = (struct msghdr) {.msg_name = &from[i], .msg_namelen = sizeof from[i],
                    .msg_iov = &wio[i], .msg_iovlen = 1};
        }
        if (sendmmsg(fd, wmsg, n, 0) < 0) {
            perror("sendmmsg");
        }
    }
}

struct worker {
    int port, id, window;
    long count, sent, received, last_ns;
};

static void *load_worker(void *arg) {
    struct worker *w = arg;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = loopback(w->port);
    connect(fd, (struct sockaddr *) &addr, sizeof addr);
    struct timeval timeout = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    unsigned char request[40] = {0x00, 0x01, 0x00, 0x14, 0x21, 0x12, 0xa4, 0x42};
    memcpy(request + 20, "\x80\x22\x00\x08tailnode\x80\x28\x00\x04", 16);
    unsigned char response[SLOT];
    long next = 0, in_flight = 0, answered = 0;
    while (answered < w->count) {
        while (in_flight < w->window && next < w->count) {
            memcpy(request + 8, &w->id, 4);
            memcpy(request + 12, &next, 8);
            next++;
            uint32_t fingerprint = crc32(request, 32) ^ 0x5354554eu; /* the message before FINGERPRINT */
            request[36] = fingerprint >> 24; request[37] = fingerprint >> 16;
            request[38] = fingerprint >> 8; request[39] = fingerprint;
            if (send(fd, request, sizeof request, 0) == sizeof request) {
                w->sent++;
            }
            in_flight++;
        }
        ssize_t n = recv(fd, response, sizeof response, 0);
        if (n < 0) {
            break; /* timeout: whatever is in flight is lost */
        }
        if (n >= 32 && response[0] == 0x01 && response[1] == 0x01) {
            w->received++;
        }
        w->last_ns = now_ns(); /* the rate ends with the last answer, not with the loss timeout */
        answered++;
        in_flight--;
    }
    close(fd);
    return NULL;
}

static int load(int port, long total, int sockets, int window) {
    pthread_t threads[64];
    struct worker workers[64];
    if (sockets < 1 || sockets > 64) {
        fprintf(stderr, "1..64 sockets\n");
        return 2;
    }
    long start = now_ns();
    for (int i = 0; i < sockets; i++) {
        workers[i] = (struct worker) {port, i, window, total / sockets + (i < total % sockets), 0, 0, start};
        pthread_create(&threads[i], NULL, load_worker, &workers[i]);
    }
    long sent = 0, received = 0, last = start;
    for (int i = 0; i < sockets; i++) {
        pthread_join(threads[i], NULL);
        sent += workers[i].sent;
        received += workers[i].received;
        last = workers[i].last_ns > last ? workers[i].last_ns : last;
    }
    double seconds = (last - start) / 1e9;
    printf("udp_echo load: %ld sent, %ld answered in %.2f s: %.0f requests/s, loss %.3f%%\n", sent, received,
           seconds, received / seconds, sent == 0 ? 0 : 100.0 * (sent - received) / sent);
    return sent == received ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "serve") == 0) {
        int batch = argc > 3 ? atoi(argv[3]) : 32;
        return serve(atoi(argv[2]), batch < 1 ? 1 : batch > BATCH_MAX ? BATCH_MAX : batch, argc > 4 ? atoi(argv[4]) : 0);
    }
    if (argc >= 6 && strcmp(argv[1], "load") == 0) {
        return load(atoi(argv[2]), atol(argv[3]), atoi(argv[4]), atoi(argv[5]));
    }
    fprintf(stderr, "usage: %s serve PORT [BATCH [RCVBUF]] | load PORT N SOCKETS WINDOW\n", argv[0]);
    return 2;
}
