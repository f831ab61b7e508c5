/*
 * Socket lifecycle and the plain (non-msghdr) data calls.
 *
 * Every descriptor we create is SOCK_NONBLOCK|SOCK_CLOEXEC: the event loop must never
 * block, and a child process spawned by Node must never inherit a socket by accident.
 * Every send ORs MSG_NOSIGNAL because a SIGPIPE would kill the whole Node process, and
 * every send and receive ORs MSG_DONTWAIT: a descriptor whose file was made blocking for
 * plain read(2)/write(2) (tirdwr pushed on an XTI endpoint) must still never block the loop.
 */
#include <limits.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xsock.h"

/* The data calls enter the kernel through syscall(2), not libc's send/recv wrappers: they
 * are cancellation points, and in a threaded process (Node always is) glibc brackets each
 * with two atomic updates of the thread's cancel state. Nothing ever cancels a Node
 * thread; with the bracket, libc held 14% of a one-way seqpacket run's perf samples,
 * without it 6%.
 * send(2) and recv(2) are sendto(2) and recvfrom(2) without an address in the kernel too. */
#define XS_SENDTO(fd, p, n, fl, sa, sl) syscall(SYS_sendto, (long)(fd), (p), (n), (long)(fl), (sa), (long)(sl))
#define XS_RECVFROM(fd, p, n, fl, sa, sl) syscall(SYS_recvfrom, (long)(fd), (p), (n), (long)(fl), (sa), (sl))

/* socklen_t for a caller's buffer: the whole view, clamped so the kernel sees a sane int. */
static socklen_t view_socklen(const xs_bytes *b) {
  return b->len > INT32_MAX ? INT32_MAX : (socklen_t)b->len;
}

/* An explicit addrlen must lie within the view, so the kernel never reads past it. */
static bool addrlen_ok(int32_t addrlen, const xs_bytes *b) {
  return addrlen >= 0 && (size_t)addrlen <= b->len;
}

/* socket(2) */
static napi_value js_socket(napi_env env, napi_callback_info info) {
  napi_value a[3];
  int32_t domain, type, proto;
  if (!xs_args(env, info, 3, a) || !xs_int(env, a[0], "domain", &domain) ||
      !xs_int(env, a[1], "type", &type) || !xs_int(env, a[2], "protocol", &proto))
    return NULL;
  int r = XS_RETRY(socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto));
  return xs_num(env, XS_RESULT(r));
}

/* socketpair(2) */
static napi_value js_socketpair(napi_env env, napi_callback_info info) {
  napi_value a[3];
  int32_t domain, type, proto;
  if (!xs_args(env, info, 3, a) || !xs_int(env, a[0], "domain", &domain) ||
      !xs_int(env, a[1], "type", &type) || !xs_int(env, a[2], "protocol", &proto))
    return NULL;
  int sv[2];
  int r = XS_RETRY(socketpair(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto, sv));
  if (r == 0) {
    int32_t *scratch = xs_state_of(env)->scratch;
    scratch[0] = sv[0];
    scratch[1] = sv[1];
  }
  return xs_num(env, XS_RESULT(r));
}

/* bind(2) and connect(2) share a shape: fd, address view, explicit length. */
static napi_value addr_call(napi_env env, napi_callback_info info,
                            int (*fn)(int, const struct sockaddr *, socklen_t)) {
  napi_value a[3];
  int32_t fd, addrlen;
  xs_bytes addr;
  if (!xs_args(env, info, 3, a) || !xs_int(env, a[0], "fd", &fd) ||
      !xs_bytes_arg(env, a[1], "addr", false, &addr) || !xs_int(env, a[2], "addrlen", &addrlen))
    return NULL;
  if (!addrlen_ok(addrlen, &addr)) return xs_num(env, -EINVAL);
  int r = XS_RETRY(fn(fd, (const struct sockaddr *)addr.data, (socklen_t)addrlen));
  return xs_num(env, XS_RESULT(r));
}

/* bind(2) */
static napi_value js_bind(napi_env env, napi_callback_info info) {
  return addr_call(env, info, bind);
}

/* listen(2) */
static napi_value js_listen(napi_env env, napi_callback_info info) {
  napi_value a[2];
  int32_t fd, backlog;
  if (!xs_args(env, info, 2, a) || !xs_int(env, a[0], "fd", &fd) ||
      !xs_int(env, a[1], "backlog", &backlog))
    return NULL;
  int r = XS_RETRY(listen(fd, backlog));
  return xs_num(env, XS_RESULT(r));
}

/* getsockname(2) and getpeername(2): return the kernel's full addrlen, which may exceed
 * the view (the kernel truncates the copy); the caller decodes min(addrlen, view). */
static napi_value name_call(napi_env env, napi_callback_info info,
                            int (*fn)(int, struct sockaddr *, socklen_t *)) {
  napi_value a[2];
  int32_t fd;
  xs_bytes addr;
  if (!xs_args(env, info, 2, a) || !xs_int(env, a[0], "fd", &fd) ||
      !xs_bytes_arg(env, a[1], "addr", false, &addr))
    return NULL;
  socklen_t alen = view_socklen(&addr);
  int r = XS_RETRY(fn(fd, (struct sockaddr *)addr.data, &alen));
  return xs_num(env, r < 0 ? -(int64_t)errno : (int64_t)alen);
}

/* getsockname(2) */
static napi_value js_getsockname(napi_env env, napi_callback_info info) {
  return name_call(env, info, getsockname);
}

/* getpeername(2) */
static napi_value js_getpeername(napi_env env, napi_callback_info info) {
  return name_call(env, info, getpeername);
}

/* shutdown(2) */
static napi_value js_shutdown(napi_env env, napi_callback_info info) {
  napi_value a[2];
  int32_t fd, how;
  if (!xs_args(env, info, 2, a) || !xs_int(env, a[0], "fd", &fd) || !xs_int(env, a[1], "how", &how))
    return NULL;
  int r = XS_RETRY(shutdown(fd, how));
  return xs_num(env, XS_RESULT(r));
}

/* close(2); never retried: Linux releases the fd even when it reports EINTR, so a retry
 * could close a descriptor another thread has just been given. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value a[1];
  int32_t fd;
  if (!xs_args(env, info, 1, a) || !xs_int(env, a[0], "fd", &fd)) return NULL;
  int r = close(fd);
  return xs_num(env, XS_RESULT(r));
}

/* The data calls take their scalars (fd, off, len, flags and sendto's addrlen) from
 * scratch[XS_DATA_ARGS...], written there by JavaScript just before the call, and leave
 * their result (the count, or -errno) in scratch[XS_DATA_ARGS + 5], returning undefined:
 * reading and writing int32s in memory is far cheaper than a napi_get_value_* call per
 * argument and a napi_create_int32 for the result, and these calls are made once per
 * message. Only the views come as arguments. The count fits: len is an int32 and a
 * datagram's length (MSG_TRUNC) is bounded by a socket buffer, far below 2 GiB. */
typedef struct xs_data {
  int32_t *scratch; /* the environment's; arguments and result from XS_DATA_ARGS */
  int32_t fd, flags, addrlen;
  uint8_t *p;
  size_t n;
  bool bad; /* off/len do not fit the view: the call returns -EINVAL before the kernel sees them */
} xs_data;

/* Reads the arguments (n views, the data view first) and the scalars. The functions are
 * defined with their xs_state as data (xs_register_socket). Returns false after throwing. */
static bool data_args(napi_env env, napi_callback_info info, size_t n, napi_value *a, xs_data *d) {
  xs_state *st;
  if (!xs_args_data(env, info, n, a, (void **)&st)) return false;
  d->scratch = st->scratch;
  const int32_t *in = d->scratch + XS_DATA_ARGS;
  xs_bytes buf;
  if (!xs_bytes_arg(env, a[0], "buf", false, &buf)) return false;
  d->fd = in[0];
  d->flags = in[3];
  d->addrlen = in[4];
  /* int32 in scratch: a negative off or len is refused here, never reaches the kernel. */
  d->bad = !xs_range_ok(in[1], in[2], buf.len);
  d->p = buf.data && !d->bad ? buf.data + in[1] : NULL;
  d->n = d->bad ? 0 : (size_t)in[2];
  return true;
}

/* The data calls' way back: the result in scratch, undefined to JavaScript (a NULL return
 * without a pending exception is undefined, at no cost). */
static napi_value data_result(const xs_data *d, int64_t r) {
  d->scratch[XS_DATA_ARGS + 5] = (int32_t)r;
  return NULL;
}

/* send(2) */
static napi_value js_send(napi_env env, napi_callback_info info) {
  napi_value a[1];
  xs_data d;
  if (!data_args(env, info, 1, a, &d)) return NULL;
  if (d.bad) return data_result(&d, -EINVAL);
  ssize_t r = XS_RETRY(XS_SENDTO(d.fd, d.p, d.n, d.flags | MSG_NOSIGNAL | MSG_DONTWAIT, NULL, 0));
  return data_result(&d, XS_RESULT(r));
}

/* recv(2) */
static napi_value js_recv(napi_env env, napi_callback_info info) {
  napi_value a[1];
  xs_data d;
  if (!data_args(env, info, 1, a, &d)) return NULL;
  if (d.bad) return data_result(&d, -EINVAL);
  ssize_t r = XS_RETRY(XS_RECVFROM(d.fd, d.p, d.n, d.flags | MSG_DONTWAIT, NULL, NULL));
  return data_result(&d, XS_RESULT(r));
}

/* sendto(2) */
static napi_value js_sendto(napi_env env, napi_callback_info info) {
  napi_value a[2];
  xs_data d;
  xs_bytes addr;
  if (!data_args(env, info, 2, a, &d) ||
      !xs_bytes_arg(env, a[1], "addr", false, &addr))
    return NULL;
  if (d.bad || !addrlen_ok(d.addrlen, &addr)) return data_result(&d, -EINVAL);
  ssize_t r = XS_RETRY(XS_SENDTO(d.fd, d.p, d.n, d.flags | MSG_NOSIGNAL | MSG_DONTWAIT,
                                 (const struct sockaddr *)addr.data, (socklen_t)d.addrlen));
  return data_result(&d, XS_RESULT(r));
}

/* recvfrom(2) */
static napi_value js_recvfrom(napi_env env, napi_callback_info info) {
  napi_value a[2];
  xs_data d;
  xs_bytes addr;
  if (!data_args(env, info, 2, a, &d) ||
      !xs_bytes_arg(env, a[1], "addr", false, &addr))
    return NULL;
  if (d.bad) return data_result(&d, -EINVAL);
  socklen_t alen = view_socklen(&addr);
  struct sockaddr *sa = addr.data ? (struct sockaddr *)addr.data : NULL;
  ssize_t r = XS_RETRY(XS_RECVFROM(d.fd, d.p, d.n, d.flags | MSG_DONTWAIT, sa, sa ? &alen : NULL));
  if (r >= 0) d.scratch[0] = sa ? (int32_t)alen : 0;
  return data_result(&d, XS_RESULT(r));
}

napi_status xs_register_socket(napi_env env, napi_value exports) {
  static const napi_property_descriptor d[] = {
    XS_FN("socket", js_socket),
    XS_FN("socketpair", js_socketpair),
    XS_FN("bind", js_bind),
    XS_FN("listen", js_listen),
    XS_FN("getsockname", js_getsockname),
    XS_FN("getpeername", js_getpeername),
    XS_FN("shutdown", js_shutdown),
    XS_FN("close", js_close),
  };
  /* The per-message calls carry the environment's state as their data. */
  xs_state *st = xs_state_of(env);
  const napi_property_descriptor data_calls[] = {
    XS_FN_DATA("send", js_send, st),
    XS_FN_DATA("recv", js_recv, st),
    XS_FN_DATA("sendto", js_sendto, st),
    XS_FN_DATA("recvfrom", js_recvfrom, st),
  };
  napi_status s = napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
  if (s != napi_ok) return s;
  return napi_define_properties(env, exports, sizeof data_calls / sizeof data_calls[0], data_calls);
}
