/*
 * C reference for `npm run bench`: the peer every client talks to, and the C clients.
 *
 *   ref peer echo|sink TRANSPORT ADDR       serve one client, then exit
 *   ref client pingpong|oneway block|epoll TRANSPORT ADDR SECONDS WARMUP
 *
 * TRANSPORT is dgram | seqpacket | stream (AF_UNIX, ADDR a path) or tcp | udp (127.0.0.1,
 * ADDR a port; the peer binds port 0 and prints it; udp: ping-pong only). The peer prints "READY [port]" when it can
 * be reached; a client prints one JSON line {"ops","secs","total"}.
 *
 * Fairness. The peer is the same process for every client (C, xsock, Node net), so only
 * the client differs. It uses blocking I/O and batch receives (recvmmsg, 64 KiB reads) so
 * that in the one-way test it is never the bottleneck and the sender's cost is what shows.
 *
 * Which C client is "C". xsock is a non-blocking, event-loop library: per operation it
 * must try the syscall and, on EAGAIN, go through the poller. The fair reference is
 * therefore the epoll client: O_NONBLOCK socket, the syscall tried first, epoll_wait only
 * after EAGAIN, interest registered once (level-triggered, no epoll_ctl per operation) —
 * the least any event loop can do. The blocking client (sleeps inside recv/send, no poller
 * round trip) is printed for context as the floor no event loop reaches; ratios use epoll.
 *
 * "No loss": unix datagrams are flow-controlled (a connected sender gets EAGAIN once the
 * receiver queue is full), streams are reliable; the sink reports what it received and the
 * client checks it against what it sent.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MSG 64       /* one-way message size */
#define BATCH 64     /* sink: messages per recvmmsg */

enum transport { T_DGRAM, T_SEQPACKET, T_STREAM, T_TCP, T_UDP };

static int is_inet(enum transport t) { return t == T_TCP || t == T_UDP; }

static void die(const char *what) {
  perror(what);
  exit(2);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static enum transport transport_of(const char *s) {
  if (!strcmp(s, "dgram")) return T_DGRAM;
  if (!strcmp(s, "seqpacket")) return T_SEQPACKET;
  if (!strcmp(s, "stream")) return T_STREAM;
  if (!strcmp(s, "tcp")) return T_TCP;
  if (!strcmp(s, "udp")) return T_UDP;
  fprintf(stderr, "unknown transport %s\n", s);
  exit(2);
}

static int sock_type(enum transport t) {
  return t == T_DGRAM || t == T_UDP ? SOCK_DGRAM : t == T_SEQPACKET ? SOCK_SEQPACKET : SOCK_STREAM;
}

static socklen_t unix_addr(struct sockaddr_un *sun, const char *path) {
  memset(sun, 0, sizeof *sun);
  sun->sun_family = AF_UNIX;
  if (strlen(path) >= sizeof sun->sun_path) {
    fprintf(stderr, "path too long: %s\n", path);
    exit(2);
  }
  strcpy(sun->sun_path, path);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static socklen_t tcp_addr(struct sockaddr_in *sin, int port) {
  memset(sin, 0, sizeof *sin);
  sin->sin_family = AF_INET;
  sin->sin_port = htons((uint16_t)port);
  sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sizeof *sin;
}

static void nodelay(int fd) {
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("TCP_NODELAY");
}

/* ---- the peer ---------------------------------------------------------------------- */

/* Binds (and for connection types listens, accepts); returns the descriptor to serve. */
static int peer_open(enum transport t, const char *addr) {
  int fd = socket(is_inet(t) ? AF_INET : AF_UNIX, sock_type(t), 0);
  if (fd < 0) die("socket");
  if (is_inet(t)) {
    int one = 1;
    struct sockaddr_in sin;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sin, tcp_addr(&sin, atoi(addr))) < 0) die("bind");
  } else {
    struct sockaddr_un sun;
    unlink(addr);
    if (bind(fd, (struct sockaddr *)&sun, unix_addr(&sun, addr)) < 0) die("bind");
  }
  if (t == T_UDP) {
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0) die("getsockname");
    printf("READY %d\n", ntohs(sin.sin_port));
    fflush(stdout);
    return fd;
  }
  if (t == T_DGRAM) {
    printf("READY\n");
    fflush(stdout);
    return fd;
  }
  if (listen(fd, 8) < 0) die("listen");
  if (t == T_TCP) {
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0) die("getsockname");
    printf("READY %d\n", ntohs(sin.sin_port));
  } else {
    printf("READY\n");
  }
  fflush(stdout);
  int c = accept(fd, NULL, NULL);
  if (c < 0) die("accept");
  if (t == T_TCP) nodelay(c);
  close(fd);
  return c;
}

/* Echo until end-of-file (or, on dgram, an empty datagram). */
static void peer_echo(enum transport t, int fd) {
  char buf[65536];
  for (;;) {
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ECONNRESET) return;
      die("peer recv");
    }
    if (n == 0) return;
    ssize_t w = t == T_DGRAM || t == T_UDP ? sendto(fd, buf, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&from, flen)
                             : send(fd, buf, (size_t)n, MSG_NOSIGNAL);
    if (w != n) die("peer send");
  }
}

/* Count 64-byte messages (bytes on streams) until the end marker, then report the count. */
static void peer_sink(enum transport t, int fd) {
  uint64_t count = 0;
  if (t == T_STREAM || t == T_TCP) {
    static char buf[1 << 16];
    for (;;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) die("sink read");
      if (n == 0) break;
      count += (uint64_t)n;
    }
    if (send(fd, &count, sizeof count, MSG_NOSIGNAL) != sizeof count) die("sink reply");
    return;
  }
  static char data[BATCH][MSG + 1];
  struct mmsghdr mm[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_un from[BATCH];
  for (;;) {
    for (int i = 0; i < BATCH; i++) {
      iov[i] = (struct iovec){ data[i], MSG + 1 };
      mm[i].msg_hdr = (struct msghdr){ .msg_name = &from[i], .msg_namelen = sizeof from[i],
                                       .msg_iov = &iov[i], .msg_iovlen = 1 };
    }
    int n = recvmmsg(fd, mm, BATCH, MSG_WAITFORONE, NULL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("sink recvmmsg");
    for (int i = 0; i < n; i++) {
      if (mm[i].msg_len == MSG) {
        count++;
        continue;
      }
      /* Anything but a 64-byte message is the end marker: reply to whoever sent it. */
      ssize_t w = t == T_DGRAM ? sendto(fd, &count, sizeof count, MSG_NOSIGNAL,
                                        (struct sockaddr *)&from[i], mm[i].msg_hdr.msg_namelen)
                               : send(fd, &count, sizeof count, MSG_NOSIGNAL);
      if (w != sizeof count) die("sink reply");
      return;
    }
  }
}

/* ---- the clients ------------------------------------------------------------------- */

static int client_open(enum transport t, const char *addr, int nonblock) {
  int fd = socket(is_inet(t) ? AF_INET : AF_UNIX, sock_type(t) | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  if (t == T_DGRAM) {
    /* The peer replies with sendto, so the client needs a name: autobind (addrlen =
     * sizeof(sa_family_t)) gives it a unique abstract one that vanishes on close. */
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sa_family_t)) < 0) die("client bind");
  }
  int rc;
  if (is_inet(t)) {
    struct sockaddr_in sin;
    rc = connect(fd, (struct sockaddr *)&sin, tcp_addr(&sin, atoi(addr)));
    if (rc == 0 && t == T_TCP) nodelay(fd);
  } else {
    struct sockaddr_un sun;
    rc = connect(fd, (struct sockaddr *)&sun, unix_addr(&sun, addr));
  }
  if (rc < 0) die("connect");
  if (nonblock && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) die("fcntl");
  return fd;
}

/* Event-loop style wait: only after EAGAIN, on an interest registered once. */
static void loop_wait(int ep) {
  struct epoll_event ev;
  while (epoll_wait(ep, &ev, 1, -1) < 0)
    if (errno != EINTR) die("epoll_wait");
}

static int poller(int fd, uint32_t events) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  struct epoll_event ev = { .events = events, .data.fd = fd };
  if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
  return ep;
}

/* 1-byte round trips; the byte changes each time so a stale or lost reply is caught. */
static void client_pingpong(enum transport t, int fd, int ep, double secs, double warm) {
  uint64_t total = 0, ops = 0;
  double start = now(), t0 = start, end = start + warm + secs;
  int warming = warm > 0;
  for (;;) {
    char out = (char)total, in;
    if (send(fd, &out, 1, MSG_NOSIGNAL) != 1) die("send"); /* 1 byte never meets a full buffer */
    ssize_t n;
    while ((n = recv(fd, &in, 1, 0)) < 0) {
      if (errno == EAGAIN && ep >= 0) loop_wait(ep);
      else if (errno != EINTR) die("recv");
    }
    if (n != 1 || in != out) {
      fprintf(stderr, "pingpong: bad echo (n=%zd)\n", n);
      exit(3);
    }
    total++;
    ops++;
    double tn = now();
    if (warming && tn >= start + warm) {
      warming = 0;
      ops = 0;
      t0 = tn;
    }
    if (tn >= end) break;
  }
  double t1 = now();
  if (t == T_DGRAM || t == T_UDP) send(fd, "", 0, MSG_NOSIGNAL); /* the peer's end-of-session */
  printf("{\"ops\":%llu,\"secs\":%.6f,\"total\":%llu}\n", (unsigned long long)ops, t1 - t0,
         (unsigned long long)total);
}

/* Reads exactly the 8-byte count the sink reports, whatever the socket's mode. */
static uint64_t sink_count(int fd) {
  uint64_t count = 0;
  size_t got = 0;
  while (got < sizeof count) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    if (poll(&p, 1, 10000) <= 0) die("waiting for the sink's count");
    ssize_t n = recv(fd, (char *)&count + got, sizeof count - got, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) die("reading the sink's count");
    got += (size_t)n;
  }
  return count;
}

/* 64-byte messages as fast as the receiver takes them; EAGAIN is backpressure. */
static void client_oneway(enum transport t, int fd, int ep, double secs, double warm) {
  char msg[MSG];
  memset(msg, 'a', sizeof msg);
  uint64_t total = 0, ops = 0;
  double start = now(), t0 = start, end = start + warm + secs;
  int warming = warm > 0;
  for (;;) {
    for (int i = 0; i < 32; i++) {
      size_t off = 0;
      while (off < MSG) {
        ssize_t n = send(fd, msg + off, MSG - off, MSG_NOSIGNAL);
        if (n >= 0) off += (size_t)n; /* streams may take part of it */
        else if (errno == EAGAIN && ep >= 0) loop_wait(ep);
        else if (errno != EINTR) die("send");
      }
      total++;
      ops++;
    }
    double tn = now();
    if (warming && tn >= start + warm) {
      warming = 0;
      ops = 0;
      t0 = tn;
    }
    if (tn >= end) break;
  }
  if (t == T_STREAM || t == T_TCP) {
    if (shutdown(fd, SHUT_WR) < 0) die("shutdown");
  } else {
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    while (send(fd, "E", 1, MSG_NOSIGNAL) < 0) {
      if (errno != EAGAIN && errno != EINTR) die("send end marker");
      poll(&p, 1, 10000);
    }
  }
  uint64_t got = sink_count(fd);
  double t1 = now(); /* the clock stops when the receiver has everything */
  uint64_t want = t == T_STREAM || t == T_TCP ? total * MSG : total;
  if (got != want) {
    fprintf(stderr, "oneway: sink received %llu, sent %llu\n", (unsigned long long)got,
            (unsigned long long)want);
    exit(3);
  }
  printf("{\"ops\":%llu,\"secs\":%.6f,\"total\":%llu}\n", (unsigned long long)ops, t1 - t0,
         (unsigned long long)total);
}

int main(int argc, char **argv) {
  if (argc == 5 && !strcmp(argv[1], "peer")) {
    enum transport t = transport_of(argv[3]);
    int fd = peer_open(t, argv[4]);
    if (!strcmp(argv[2], "echo")) peer_echo(t, fd);
    else if (!strcmp(argv[2], "sink")) peer_sink(t, fd);
    else goto usage;
    close(fd);
    return 0;
  }
  if (argc == 8 && !strcmp(argv[1], "client")) {
    enum transport t = transport_of(argv[4]);
    int epoll = !strcmp(argv[3], "epoll");
    if (!epoll && strcmp(argv[3], "block")) goto usage;
    int fd = client_open(t, argv[5], epoll);
    double secs = atof(argv[6]), warm = atof(argv[7]);
    if (!strcmp(argv[2], "pingpong")) {
      client_pingpong(t, fd, epoll ? poller(fd, EPOLLIN) : -1, secs, warm);
    } else if (!strcmp(argv[2], "oneway")) {
      client_oneway(t, fd, epoll ? poller(fd, EPOLLOUT) : -1, secs, warm);
    } else {
      goto usage;
    }
    close(fd);
    return 0;
  }
usage:
  fprintf(stderr, "usage: ref peer echo|sink TRANSPORT ADDR\n"
                  "       ref client pingpong|oneway block|epoll TRANSPORT ADDR SECONDS WARMUP\n");
  return 2;
}
