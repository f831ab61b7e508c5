/*
 * Zero-copy transfers: splice(2), tee(2), sendfile(2), copy_file_range(2), and the
 * F_SETPIPE_SZ a splice relay needs to size its in-kernel buffer (pipe2 is in pipe.c).
 *
 * As everywhere in the shim: one system call each, -errno on failure, no policy. The
 * splice family gets SPLICE_F_NONBLOCK added because a pipe end handed to us may be a
 * blocking one, and the event loop must never sleep in the kernel.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "xsock.h"

/* Lengths are size_t in the kernel; refuse what JS cannot have meant (negative, > 2^53). */
#define XS_MAX_LEN ((int64_t)1 << 53)

static bool len_ok(int64_t len) {
  return len >= 0 && len <= XS_MAX_LEN;
}

/* An offset of -1 means "the file position" (a NULL pointer); anything else below 0 is bad. */
static bool off_ok(int64_t off) {
  return off >= -1;
}

/* splice(2) fdIn[offIn] -> fdOut[offOut], SPLICE_F_NONBLOCK added. */
static napi_value js_splice(napi_env env, napi_callback_info info) {
  napi_value a[6];
  int32_t fd_in, fd_out, flags;
  int64_t off_in, off_out, len;
  if (!xs_args(env, info, 6, a) || !xs_int(env, a[0], "fdIn", &fd_in) ||
      !xs_i64(env, a[1], "offIn", &off_in) || !xs_int(env, a[2], "fdOut", &fd_out) ||
      !xs_i64(env, a[3], "offOut", &off_out) || !xs_i64(env, a[4], "len", &len) ||
      !xs_int(env, a[5], "flags", &flags))
    return NULL;
  if (!off_ok(off_in) || !off_ok(off_out) || !len_ok(len)) return xs_num(env, -EINVAL);
  loff_t oi = off_in, oo = off_out;
  ssize_t r = XS_RETRY(splice(fd_in, off_in < 0 ? NULL : &oi, fd_out, off_out < 0 ? NULL : &oo,
                              (size_t)len, (unsigned)flags | SPLICE_F_NONBLOCK));
  return xs_num(env, XS_RESULT(r));
}

/* tee(2) pipe fdIn -> pipe fdOut without consuming, SPLICE_F_NONBLOCK added. */
static napi_value js_tee(napi_env env, napi_callback_info info) {
  napi_value a[4];
  int32_t fd_in, fd_out, flags;
  int64_t len;
  if (!xs_args(env, info, 4, a) || !xs_int(env, a[0], "fdIn", &fd_in) ||
      !xs_int(env, a[1], "fdOut", &fd_out) || !xs_i64(env, a[2], "len", &len) ||
      !xs_int(env, a[3], "flags", &flags))
    return NULL;
  if (!len_ok(len)) return xs_num(env, -EINVAL);
  ssize_t r = XS_RETRY(tee(fd_in, fd_out, (size_t)len, (unsigned)flags | SPLICE_F_NONBLOCK));
  return xs_num(env, XS_RESULT(r));
}

/* sendfile(2) inFd[offset] -> outFd; offset -1 reads at (and advances) the file position. */
static napi_value js_sendfile(napi_env env, napi_callback_info info) {
  napi_value a[4];
  int32_t out_fd, in_fd;
  int64_t off, count;
  if (!xs_args(env, info, 4, a) || !xs_int(env, a[0], "outFd", &out_fd) ||
      !xs_int(env, a[1], "inFd", &in_fd) || !xs_i64(env, a[2], "offset", &off) ||
      !xs_i64(env, a[3], "count", &count))
    return NULL;
  if (!off_ok(off) || !len_ok(count)) return xs_num(env, -EINVAL);
  off_t o = off;
  ssize_t r = XS_RETRY(sendfile(out_fd, in_fd, off < 0 ? NULL : &o, (size_t)count));
  return xs_num(env, XS_RESULT(r));
}

/* copy_file_range(2) between two files, flags 0 (the only value the kernel accepts). */
static napi_value js_copy_file_range(napi_env env, napi_callback_info info) {
  napi_value a[5];
  int32_t fd_in, fd_out;
  int64_t off_in, off_out, len;
  if (!xs_args(env, info, 5, a) || !xs_int(env, a[0], "fdIn", &fd_in) ||
      !xs_i64(env, a[1], "offIn", &off_in) || !xs_int(env, a[2], "fdOut", &fd_out) ||
      !xs_i64(env, a[3], "offOut", &off_out) || !xs_i64(env, a[4], "len", &len))
    return NULL;
  if (!off_ok(off_in) || !off_ok(off_out) || !len_ok(len)) return xs_num(env, -EINVAL);
  loff_t oi = off_in, oo = off_out;
  ssize_t r = XS_RETRY(copy_file_range(fd_in, off_in < 0 ? NULL : &oi, fd_out,
                                       off_out < 0 ? NULL : &oo, (size_t)len, 0));
  return xs_num(env, XS_RESULT(r));
}

/* fcntl(fd, F_SETPIPE_SZ, size); returns the capacity the kernel chose. */
static napi_value js_set_pipe_size(napi_env env, napi_callback_info info) {
  napi_value a[2];
  int32_t fd, size;
  if (!xs_args(env, info, 2, a) || !xs_int(env, a[0], "fd", &fd) || !xs_int(env, a[1], "size", &size))
    return NULL;
  int r = XS_RETRY(fcntl(fd, F_SETPIPE_SZ, size));
  return xs_num(env, XS_RESULT(r));
}

napi_status xs_register_splice(napi_env env, napi_value exports) {
  static const napi_property_descriptor d[] = {
    XS_FN("splice", js_splice),
    XS_FN("tee", js_tee),
    XS_FN("sendfile", js_sendfile),
    XS_FN("copyFileRange", js_copy_file_range),
    XS_FN("setPipeSize", js_set_pipe_size),
  };
  return napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
