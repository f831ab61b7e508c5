/*
 * Stream peers for bench/relay.js, in C so the relay under test is the bottleneck:
 *
 *   relay-peer sink PATH           listen on a unix stream path, take one client, read to
 *                                  end-of-file; prints "READY", then "<bytes> <checksum>"
 *   relay-peer source PATH BYTES   connect (retrying while the relay starts), send BYTES of
 *                                  a pattern that differs per MiB; prints "<bytes> <checksum>"
 *   relay-peer splice A B SIZE     the reference relay: listen on A, take one client, connect
 *                                  to B and move A -> B with splice(2) through a pipe of SIZE
 *                                  bytes (non-blocking, splicing until EAGAIN, poll(2) only
 *                                  then), what any splice relay on this machine can reach
 *
 * The checksum (rotate, xor, add the position, over 64-bit words in stream order) catches lost, duplicated
 * and reordered data at a cost far below the copy itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define BLOCK (1 << 20)

/* Four lanes, so the checksum runs at memory speed instead of one dependent chain. */
static uint64_t lane[4];
static uint64_t words = 0; /* position, mixed in so repeated blocks do not cancel */
static unsigned carry_len = 0; /* bytes of a partial word held over between reads */
static uint64_t carry = 0;

static inline void mix(uint64_t w) {
  uint64_t *h = &lane[words & 3];
  *h = ((*h << 1 | *h >> 63) ^ w) + ++words;
}

static void sum(const unsigned char *p, size_t n) {
  while (n > 0 && carry_len > 0) {
    carry |= (uint64_t)*p++ << (8 * (8 - carry_len));
    n--;
    if (--carry_len == 0) { mix(carry); carry = 0; }
  }
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    mix(w);
  }
  if (n > 0) {
    carry = 0;
    for (size_t i = 0; i < n; i++) carry |= (uint64_t)p[i] << (8 * i);
    carry_len = 8 - (unsigned)n;
  }
}

static socklen_t addr(struct sockaddr_un *sun, const char *path) {
  memset(sun, 0, sizeof *sun);
  sun->sun_family = AF_UNIX;
  if (strlen(path) >= sizeof sun->sun_path) { fprintf(stderr, "path too long\n"); exit(2); }
  strcpy(sun->sun_path, path);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

/* One direction, A -> B, as the bench drives it; then the half-close and wait for B's end. */
static int splice_relay(const char *a, const char *b, long size) {
  struct sockaddr_un sun;
  int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  unlink(a);
  if (l < 0 || bind(l, (struct sockaddr *)&sun, addr(&sun, a)) < 0 || listen(l, 1) < 0) { perror("relay listen"); return 2; }
  int in = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  int out = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (in < 0 || out < 0 || connect(out, (struct sockaddr *)&sun, addr(&sun, b)) < 0) { perror("relay connect"); return 2; }
  fcntl(out, F_SETFL, O_NONBLOCK);
  int p[2];
  if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0) { perror("pipe2"); return 2; }
  int cap = fcntl(p[1], F_SETPIPE_SZ, (int)size);
  if (cap > 0) size = cap;
  long in_pipe = 0;
  int eof = 0;
  for (;;) {
    int in_blocked = eof, out_blocked = in_pipe == 0;
    if (!eof) {
      ssize_t n = splice(in, NULL, p[1], NULL, (size_t)size, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) in_pipe += n;
      else if (n == 0) eof = 1;
      else if (errno == EAGAIN) in_blocked = 1;
      else if (errno != EINTR) { perror("splice in"); return 2; }
    }
    if (in_pipe > 0) {
      ssize_t k = splice(p[0], NULL, out, NULL, (size_t)in_pipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (k > 0) in_pipe -= k;
      else if (errno == EAGAIN) out_blocked = 1;
      else if (errno != EINTR) { perror("splice out"); return 2; }
    }
    if (eof && in_pipe == 0) break;
    if (!in_blocked || !out_blocked) continue;
    /* Bytes in the pipe: the source may be blocked only by a full pipe, so wait for room. */
    struct pollfd f[2] = { { in, in_pipe ? 0 : POLLIN, 0 }, { out, in_pipe ? POLLOUT : 0, 0 } };
    if (poll(f, 2, -1) < 0 && errno != EINTR) { perror("poll"); return 2; }
  }
  shutdown(out, SHUT_WR);
  struct pollfd f = { out, POLLIN, 0 };
  char c;
  while (poll(&f, 1, -1) >= 0 && read(out, &c, 1) != 0 && (errno == EAGAIN || errno == EINTR)) {}
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 5 && !strcmp(argv[1], "splice")) return splice_relay(argv[2], argv[3], atol(argv[4]));
  static unsigned char buf[BLOCK];
  struct sockaddr_un sun;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) { perror("socket"); return 2; }
  uint64_t total = 0;
  if (argc == 3 && !strcmp(argv[1], "sink")) {
    unlink(argv[2]);
    if (bind(fd, (struct sockaddr *)&sun, addr(&sun, argv[2])) < 0 || listen(fd, 1) < 0) { perror("bind/listen"); return 2; }
    printf("READY\n");
    fflush(stdout);
    int c = accept(fd, NULL, NULL);
    if (c < 0) { perror("accept"); return 2; }
    for (;;) {
      ssize_t n = read(c, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) { perror("read"); return 2; }
      if (n == 0) break;
      sum(buf, (size_t)n);
      total += (uint64_t)n;
    }
  } else if (argc == 4 && !strcmp(argv[1], "source")) {
    uint64_t want = strtoull(argv[3], NULL, 10);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < BLOCK; i += 8) { /* xorshift64 */
      x ^= x << 13; x ^= x >> 7; x ^= x << 17;
      memcpy(buf + i, &x, 8);
    }
    socklen_t len = addr(&sun, argv[2]);
    for (int i = 0; connect(fd, (struct sockaddr *)&sun, len) < 0; i++) {
      if (i > 1000) { perror("connect"); return 2; }
      usleep(10000);
    }
    for (uint64_t block = 0; total < want; block++) {
      memcpy(buf, &block, sizeof block); /* every MiB differs: a repeated or lost block shows */
      size_t n = want - total < BLOCK ? (size_t)(want - total) : BLOCK;
      sum(buf, n);
      for (size_t off = 0; off < n;) {
        ssize_t w = write(fd, buf + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) { perror("write"); return 2; }
        off += (size_t)w;
      }
      total += n;
    }
  } else {
    fprintf(stderr, "usage: relay-peer sink PATH | relay-peer source PATH BYTES | relay-peer splice A B SIZE\n");
    return 2;
  }
  if (carry_len > 0) mix(carry);
  uint64_t h = lane[0] ^ (lane[1] * 3) ^ (lane[2] * 5) ^ (lane[3] * 7);
  printf("%llu %016llx\n", (unsigned long long)total, (unsigned long long)h);
  return 0;
}
