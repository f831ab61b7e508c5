/*
 * C reference for bench/msg.js, same loops as the JS side, one process:
 *   fdpass N  - seqpacket socketpair, 1 byte + 1 fd (SCM_RIGHTS) per message; the
 *               receiver uses MSG_CMSG_CLOEXEC and closes every fd it gets.
 *   dgram N   - unix dgram socketpair, 64-byte messages, naive: one send(2) / recv(2) per message.
 * Prints: <messages> <seconds>
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long fdpass(long n) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) return -1;
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
      if (sendmsg(sv[0], &m, MSG_NOSIGNAL) < 0) { if (errno == EAGAIN) break; perror("sendmsg"); exit(1); }
      sent++;
    }
    for (;;) {
      char buf[16];
      struct iovec iov = { buf, sizeof buf };
      struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = rc.b, .msg_controllen = sizeof rc.b };
      if (recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC) < 0) { if (errno == EAGAIN) break; perror("recvmsg"); exit(1); }
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

static long dgram(long n) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) return -1;
  char msg[64], buf[64];
  memset(msg, 'd', sizeof msg);
  long sent = 0, got = 0;
  while (got < n) {
    while (sent < n) {
      if (send(sv[0], msg, sizeof msg, MSG_NOSIGNAL) < 0) { if (errno == EAGAIN) break; perror("send"); exit(1); }
      sent++;
    }
    for (;;) {
      if (recv(sv[1], buf, sizeof buf, 0) < 0) { if (errno == EAGAIN) break; perror("recv"); exit(1); }
      got++;
    }
  }
  close(sv[0]); close(sv[1]);
  return got;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s fdpass|dgram N\n", argv[0]); return 2; }
  long n = atol(argv[2]);
  double t = now();
  long got = strcmp(argv[1], "fdpass") == 0 ? fdpass(n) : dgram(n);
  printf("%ld %.6f\n", got, now() - t);
  return got == n ? 0 : 1;
}
