/*
 * C reference for the single-process workloads of bench/msg.js: the same loop shapes as
 * the JavaScript side, on non-blocking sockets, one process (the sender fills the socket
 * until EAGAIN, the receiver drains it until EAGAIN, and again), so what is compared is
 * the cost per operation without scheduler wake-ups in the way.
 *
 *   fdpass N        seqpacket socketpair, 1 byte + 1 fd (SCM_RIGHTS) per message; the
 *                   receiver uses MSG_CMSG_CLOEXEC and closes every fd it gets
 *   dgram N         unix dgram socketpair, 64-byte messages, one send(2) / recv(2) each
 *   dgram-unconn N  the same, but the receiver is bound and not connected back: the sender
 *                   is connected to it, the receiver learns each sender with recvfrom(2)
 *   dgram-batch N   dgram, but sendmmsg(2) / recvmmsg(2) of 64: what bench/msg.js's
 *                   xsock-batch does, so its figure has a like-for-like reference
 *   dgram-unconn-batch N  the same for dgram-unconn (recvmmsg with the senders' addresses)
 *   seqpacket N     unix seqpacket socketpair, 64-byte messages, one send(2) / recv(2) each
 *   stream-u32 N    unix stream socketpair, messages of a 4-byte length + 64 bytes, one
 *                   send(2) each; the receiver reads 64 KiB at a time and splits frames
 *   bulk-unix BYTES unix stream socketpair, 64 KiB writes, 64 KiB reads
 *   bulk-tcp BYTES  the same over TCP loopback (TCP_NODELAY)
 *   accept N        unix stream listener (abstract name), 8 connects in flight; each
 *                   accepted connection and its client are closed at once
 * Prints: <operations> <seconds>
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void pair(int type, int sv[2]) {
  if (socketpair(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) die("socketpair");
}

static long fdpass(long n) {
  int sv[2];
  pair(SOCK_SEQPACKET, sv);
  int f = open("/dev/null", O_RDONLY | O_CLOEXEC);
  long sent = 0, got = 0;
  char one = 'x';
  union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } sc, rc;
  while (got < n) {
    while (sent < n) {
      struct iovec iov = { &one, 1 };
      struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = sc.b, .msg_controllen = sizeof sc.b };
      struct cmsghdr *c = CMSG_FIRSTHDR(&m);
      c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(sizeof(int));
      memcpy(CMSG_DATA(c), &f, sizeof f);
      if (sendmsg(sv[0], &m, MSG_NOSIGNAL) < 0) { if (errno == EAGAIN) break; die("sendmsg"); }
      sent++;
    }
    for (;;) {
      char buf[16];
      struct iovec iov = { buf, sizeof buf };
      struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = rc.b, .msg_controllen = sizeof rc.b };
      if (recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC) < 0) { if (errno == EAGAIN) break; die("recvmsg"); }
      for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
          int fd; memcpy(&fd, CMSG_DATA(c), sizeof fd); close(fd);
        }
      got++;
    }
  }
  close(f); close(sv[0]); close(sv[1]);
  return got;
}

/* Fixed-size messages over a pair; `from` asks recvfrom for the sender as an unconnected
 * receiver would. */
static long messages(int tx, int rx, long n, int from) {
  char msg[64], buf[64];
  memset(msg, 'd', sizeof msg);
  long sent = 0, got = 0;
  while (got < n) {
    while (sent < n) {
      if (send(tx, msg, sizeof msg, MSG_NOSIGNAL) < 0) { if (errno == EAGAIN) break; die("send"); }
      sent++;
    }
    for (;;) {
      struct sockaddr_un sun;
      socklen_t len = sizeof sun;
      ssize_t r = from ? recvfrom(rx, buf, sizeof buf, 0, (struct sockaddr *)&sun, &len) : recv(rx, buf, sizeof buf, 0);
      if (r < 0) { if (errno == EAGAIN) break; die("recv"); }
      got++;
    }
  }
  return got;
}

/* messages() with sendmmsg/recvmmsg of 64 per call. */
static long batches(int tx, int rx, long n, int from) {
  static char msg[64][64], buf[64][64];
  static struct sockaddr_un sun[64];
  struct mmsghdr hs[64], hr[64];
  struct iovec io[64], ii[64];
  memset(msg, 'd', sizeof msg);
  long sent = 0, got = 0;
  while (got < n) {
    while (sent < n) {
      int k = n - sent < 64 ? (int)(n - sent) : 64;
      for (int i = 0; i < k; i++) {
        io[i] = (struct iovec){ msg[i], 64 };
        hs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &io[i], .msg_iovlen = 1 } };
      }
      int r = sendmmsg(tx, hs, (unsigned)k, MSG_NOSIGNAL);
      if (r < 0) { if (errno == EAGAIN) break; die("sendmmsg"); }
      sent += r;
    }
    for (;;) {
      for (int i = 0; i < 64; i++) {
        ii[i] = (struct iovec){ buf[i], 64 };
        hr[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &ii[i], .msg_iovlen = 1,
          .msg_name = from ? &sun[i] : NULL, .msg_namelen = from ? sizeof sun[i] : 0 } };
      }
      int r = recvmmsg(rx, hr, 64, 0, NULL);
      if (r < 0) { if (errno == EAGAIN) break; die("recvmmsg"); }
      got += r;
    }
  }
  return got;
}

static long pair_batches(long n) {
  int sv[2];
  pair(SOCK_DGRAM, sv);
  long got = batches(sv[0], sv[1], n, 0);
  close(sv[0]); close(sv[1]);
  return got;
}

static long pair_messages(int type, long n) {
  int sv[2];
  pair(type, sv);
  long got = messages(sv[0], sv[1], n, 0);
  close(sv[0]); close(sv[1]);
  return got;
}

static socklen_t abstract(struct sockaddr_un *sun, const char *tag) {
  memset(sun, 0, sizeof *sun);
  sun->sun_family = AF_UNIX;
  int k = snprintf(sun->sun_path + 1, sizeof sun->sun_path - 1, "xsock-bench-%d-%s", (int)getpid(), tag);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + k);
}

static long dgram_unconn(long n, int batch) {
  struct sockaddr_un sun, any = { .sun_family = AF_UNIX };
  socklen_t len = abstract(&sun, "dgram");
  int rx = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int tx = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (rx < 0 || tx < 0) die("socket");
  if (bind(rx, (struct sockaddr *)&sun, len) < 0) die("bind");
  if (bind(tx, (struct sockaddr *)&any, sizeof(sa_family_t)) < 0) die("autobind"); /* a sender with a name */
  if (connect(tx, (struct sockaddr *)&sun, len) < 0) die("connect");
  long got = batch ? batches(tx, rx, n, 1) : messages(tx, rx, n, 1);
  close(tx); close(rx);
  return got;
}

static long stream_u32(long n) {
  int sv[2];
  pair(SOCK_STREAM, sv);
  static char in[1 << 16];
  char frame[68];
  uint32_t len = 64;
  memcpy(frame, &len, 4);
  memset(frame + 4, 'f', 64);
  long sent = 0, got = 0;
  size_t have = 0; /* bytes of a partial frame carried over */
  while (got < n) {
    while (sent < n) {
      ssize_t w = send(sv[0], frame, sizeof frame, MSG_NOSIGNAL);
      if (w < 0) { if (errno == EAGAIN) break; die("send"); }
      if (w < (ssize_t)sizeof frame) { /* finish a partial frame before anything else */
        size_t off = (size_t)w;
        while (off < sizeof frame) {
          ssize_t k = send(sv[0], frame + off, sizeof frame - off, MSG_NOSIGNAL);
          if (k > 0) off += (size_t)k;
          else if (k < 0 && errno == EAGAIN) { /* make room: the receiver loop below */
            ssize_t r = recv(sv[1], in + have, sizeof in - have, 0);
            if (r <= 0) die("recv while sending");
            size_t end = have + (size_t)r, p = 0;
            while (end - p >= 4) { uint32_t l; memcpy(&l, in + p, 4); if (end - p < 4 + l) break; p += 4 + l; got++; }
            memmove(in, in + p, end - p); have = end - p;
          } else die("send");
        }
      }
      sent++;
    }
    for (;;) {
      ssize_t r = recv(sv[1], in + have, sizeof in - have, 0);
      if (r < 0) { if (errno == EAGAIN) break; die("recv"); }
      size_t end = have + (size_t)r, p = 0;
      while (end - p >= 4) {
        uint32_t l;
        memcpy(&l, in + p, 4);
        if (end - p < 4 + l) break;
        p += 4 + l;
        got++;
      }
      memmove(in, in + p, end - p);
      have = end - p;
    }
  }
  close(sv[0]); close(sv[1]);
  return got;
}

static long bulk(int tx, int rx, long bytes) {
  static char out[1 << 16], in[1 << 16];
  memset(out, 'b', sizeof out);
  long sent = 0, got = 0;
  while (got < bytes) {
    while (sent < bytes) {
      size_t want = bytes - sent < (long)sizeof out ? (size_t)(bytes - sent) : sizeof out;
      ssize_t w = send(tx, out, want, MSG_NOSIGNAL);
      if (w < 0) { if (errno == EAGAIN) break; die("send"); }
      sent += w;
    }
    for (;;) {
      ssize_t r = recv(rx, in, sizeof in, 0);
      if (r < 0) { if (errno == EAGAIN) break; die("recv"); }
      if (r == 0) die("unexpected end-of-file");
      got += r;
    }
  }
  return got;
}

static long bulk_unix(long bytes) {
  int sv[2];
  pair(SOCK_STREAM, sv);
  long got = bulk(sv[0], sv[1], bytes);
  close(sv[0]); close(sv[1]);
  return got;
}

static long bulk_tcp(long bytes) {
  int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t len = sizeof sin;
  if (bind(l, (struct sockaddr *)&sin, len) < 0 || listen(l, 1) < 0) die("listen");
  if (getsockname(l, (struct sockaddr *)&sin, &len) < 0) die("getsockname");
  int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect(c, (struct sockaddr *)&sin, len) < 0) die("connect");
  int a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
  if (a < 0) die("accept");
  int one = 1;
  setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(c, F_SETFL, O_NONBLOCK);
  fcntl(a, F_SETFL, O_NONBLOCK);
  long got = bulk(c, a, bytes);
  close(a); close(c); close(l);
  return got;
}

static long accept_close(long n) {
  struct sockaddr_un sun;
  socklen_t len = abstract(&sun, "accept");
  int l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (bind(l, (struct sockaddr *)&sun, len) < 0 || listen(l, 64) < 0) die("listen");
  int inflight[8];
  int k = 0;
  long made = 0, done = 0;
  while (done < n) {
    while (k < 8 && made < n) {
      int c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (c < 0) die("socket");
      if (connect(c, (struct sockaddr *)&sun, len) < 0) die("connect");
      inflight[k++] = c;
      made++;
    }
    int a = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (a < 0) die("accept");
    close(a);
    close(inflight[--k]); /* closing a client whose connection was accepted or not: both end it */
    done++;
  }
  while (k > 0) close(inflight[--k]);
  close(l);
  return done;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s WORKLOAD N\n", argv[0]); return 2; }
  long n = atol(argv[2]);
  const char *w = argv[1];
  double t = now();
  long got = !strcmp(w, "fdpass") ? fdpass(n)
           : !strcmp(w, "dgram") ? pair_messages(SOCK_DGRAM, n)
           : !strcmp(w, "dgram-unconn") ? dgram_unconn(n, 0)
           : !strcmp(w, "dgram-batch") ? pair_batches(n)
           : !strcmp(w, "dgram-unconn-batch") ? dgram_unconn(n, 1)
           : !strcmp(w, "seqpacket") ? pair_messages(SOCK_SEQPACKET, n)
           : !strcmp(w, "stream-u32") ? stream_u32(n)
           : !strcmp(w, "bulk-unix") ? bulk_unix(n)
           : !strcmp(w, "bulk-tcp") ? bulk_tcp(n)
           : !strcmp(w, "accept") ? accept_close(n)
           : -2;
  if (got == -2) { fprintf(stderr, "unknown workload %s\n", w); return 2; }
  printf("%ld %.6f\n", got, now() - t);
  return got == n ? 0 : 1;
}
