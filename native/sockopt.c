/*
 * Socket options, descriptor flags and a zero-timeout poll.
 *
 * Option values travel as raw bytes: encoding ints, lingers, timevals and strings is the
 * TypeScript side's job, which keeps this file free of per-option knowledge.
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "xsock.h"

/* setsockopt(2) */
static napi_value js_setsockopt(napi_env env, napi_callback_info info) {
  napi_value a[5];
  int32_t fd, level, name, len;
  xs_bytes val;
  if (!xs_args(env, info, 5, a) || !xs_int(env, a[0], "fd", &fd) ||
      !xs_int(env, a[1], "level", &level) || !xs_int(env, a[2], "name", &name) ||
      !xs_bytes_arg(env, a[3], "val", false, &val) || !xs_int(env, a[4], "len", &len))
    return NULL;
  if (len < 0 || (size_t)len > val.len) return xs_num(env, -EINVAL);
  int r = XS_RETRY(setsockopt(fd, level, name, val.data, (socklen_t)len));
  return xs_num(env, XS_RESULT(r));
}

/* getsockopt(2) */
static napi_value js_getsockopt(napi_env env, napi_callback_info info) {
  napi_value a[4];
  int32_t fd, level, name;
  xs_bytes val;
  if (!xs_args(env, info, 4, a) || !xs_int(env, a[0], "fd", &fd) ||
      !xs_int(env, a[1], "level", &level) || !xs_int(env, a[2], "name", &name) ||
      !xs_bytes_arg(env, a[3], "val", false, &val))
    return NULL;
  socklen_t len = val.len > INT32_MAX ? INT32_MAX : (socklen_t)val.len;
  int r = XS_RETRY(getsockopt(fd, level, name, val.data, &len));
  return xs_num(env, r < 0 ? -(int64_t)errno : (int64_t)len);
}

/* ioctl(2) with an int out-parameter. Only requests of that shape are safe to pass here:
 * the kernel writes through the pointer with the size the request implies. */
static napi_value js_ioctl_int(napi_env env, napi_callback_info info) {
  napi_value a[2];
  int32_t fd;
  uint32_t req;
  if (!xs_args(env, info, 2, a) || !xs_int(env, a[0], "fd", &fd) ||
      !xs_uint(env, a[1], "request", &req))
    return NULL;
  int v = 0;
  int r = XS_RETRY(ioctl(fd, (unsigned long)req, &v));
  return xs_num(env, r < 0 ? -(int64_t)errno : (int64_t)v);
}

/* fcntl(2) F_GETFL */
static napi_value js_getfl(napi_env env, napi_callback_info info) {
  napi_value a[1];
  int32_t fd;
  if (!xs_args(env, info, 1, a) || !xs_int(env, a[0], "fd", &fd)) return NULL;
  int r = XS_RETRY(fcntl(fd, F_GETFL));
  return xs_num(env, XS_RESULT(r));
}

/* fcntl(2) F_SETOWN: which process the kernel tells of urgent data (SIGURG) and of I/O (SIGIO) */
static napi_value js_setown(napi_env env, napi_callback_info info) {
  napi_value a[2];
  int32_t fd, pid;
  if (!xs_args(env, info, 2, a) || !xs_int(env, a[0], "fd", &fd) ||
      !xs_int(env, a[1], "pid", &pid))
    return NULL;
  int r = XS_RETRY(fcntl(fd, F_SETOWN, pid));
  return xs_num(env, XS_RESULT(r));
}

/* fcntl(2) F_SETFL */
static napi_value js_setfl(napi_env env, napi_callback_info info) {
  napi_value a[2];
  int32_t fd, flags;
  if (!xs_args(env, info, 2, a) || !xs_int(env, a[0], "fd", &fd) ||
      !xs_int(env, a[1], "flags", &flags))
    return NULL;
  int r = XS_RETRY(fcntl(fd, F_SETFL, flags));
  return xs_num(env, XS_RESULT(r));
}

/* fcntl(2) F_DUPFD_CLOEXEC: the CLOEXEC form so the duplicate is never inherited either. */
static napi_value js_dup_cloexec(napi_env env, napi_callback_info info) {
  napi_value a[1];
  int32_t fd;
  if (!xs_args(env, info, 1, a) || !xs_int(env, a[0], "fd", &fd)) return NULL;
  int r = XS_RETRY(fcntl(fd, F_DUPFD_CLOEXEC, 0));
  return xs_num(env, XS_RESULT(r));
}

/* dup3(2) with O_CLOEXEC: atomically puts oldfd's file under newfd (closing what was there). */
static napi_value js_dup3(napi_env env, napi_callback_info info) {
  napi_value a[2];
  int32_t oldfd, newfd;
  if (!xs_args(env, info, 2, a) || !xs_int(env, a[0], "oldfd", &oldfd) || !xs_int(env, a[1], "newfd", &newfd))
    return NULL;
  int r = XS_RETRY(dup3(oldfd, newfd, O_CLOEXEC));
  return xs_num(env, XS_RESULT(r));
}

/* fcntl(2) F_GETFD */
static napi_value js_get_cloexec(napi_env env, napi_callback_info info) {
  napi_value a[1];
  int32_t fd;
  if (!xs_args(env, info, 1, a) || !xs_int(env, a[0], "fd", &fd)) return NULL;
  int r = XS_RETRY(fcntl(fd, F_GETFD));
  return xs_num(env, r < 0 ? -(int64_t)errno : (r & FD_CLOEXEC) ? 1 : 0);
}

/* poll(2) with timeout 0: a synchronous readiness probe, independent of the loop. */
static napi_value js_poll_now(napi_env env, napi_callback_info info) {
  napi_value a[2];
  int32_t fd, events;
  if (!xs_args(env, info, 2, a) || !xs_int(env, a[0], "fd", &fd) ||
      !xs_int(env, a[1], "events", &events))
    return NULL;
  struct pollfd p = { .fd = fd, .events = (short)events };
  int r = XS_RETRY(poll(&p, 1, 0));
  /* revents is a short whose POLLRDHUP bit is positive; widen unsigned so it stays so. */
  return xs_num(env, r < 0 ? -(int64_t)errno : (int64_t)(unsigned short)p.revents);
}

napi_status xs_register_sockopt(napi_env env, napi_value exports) {
  static const napi_property_descriptor d[] = {
    XS_FN("setsockopt", js_setsockopt),
    XS_FN("getsockopt", js_getsockopt),
    XS_FN("ioctlInt", js_ioctl_int),
    XS_FN("getfl", js_getfl),
    XS_FN("setfl", js_setfl),
    XS_FN("setown", js_setown),
    XS_FN("dupCloexec", js_dup_cloexec),
    XS_FN("dup3", js_dup3),
    XS_FN("getCloexec", js_get_cloexec),
    XS_FN("pollNow", js_poll_now),
  };
  return napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
