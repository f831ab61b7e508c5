/*
 * msghdr-based calls: sendmsg, recvmsg, sendmmsg, recvmmsg.
 *
 * The single-message calls run on every stream/seqpacket write and read, so their iovec
 * arrays live on the stack (1024 * 16 bytes) rather than being allocated per call. The
 * batch calls need one mmsghdr+iovec pair per message; small batches use the stack,
 * larger ones take a single malloc for the call.
 *
 * recv* callers pass MSG_CMSG_CLOEXEC (src/socket/recv-flags.ts) so descriptors received
 * with SCM_RIGHTS are never inherited by a child spawned before JavaScript closes them;
 * it is theirs to pass because packet sockets refuse the flag with EINVAL.
 */
/* sends and receives OR MSG_DONTWAIT: see socket.c (a file made blocking by tirdwr). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "xsock.h"

/* Linux echoes a requested MSG_CMSG_CLOEXEC back into msg_flags. It is a request flag,
 * not a property of the message, so it is masked out of what JS sees. */
#define XS_MSG_FLAGS(f) ((f) & ~MSG_CMSG_CLOEXEC)

/* Batches up to this size keep their mmsghdr/iovec arrays on the stack (~5 KiB). */
#define XS_MMSG_STACK 64

/* Result of the array helpers when an exception has been thrown (distinct from -errno). */
#define XS_THROWN 1

/* Length of a JS array argument; throws a TypeError naming it when it is not an array. */
static int array_len(napi_env env, napi_value arr, const char *name, uint32_t *n) {
  bool is_array = false;
  if (napi_is_array(env, arr, &is_array) == napi_ok && is_array &&
      napi_get_array_length(env, arr, n) == napi_ok)
    return 0;
  char msg[128];
  snprintf(msg, sizeof msg, "The \"%s\" argument must be an array of TypedArrays", name);
  napi_throw_type_error(env, "ERR_XSOCK_INVALID_ARG_TYPE", msg);
  return XS_THROWN;
}

/* Points iov[0, count) at the views arr[start, start+count); the range is pre-checked.
 * The element name is formatted only on failure to keep the per-view cost to two calls. */
static int fill_views(napi_env env, napi_value arr, const char *name, uint32_t start,
                      uint32_t count, struct iovec *iov) {
  for (uint32_t i = 0; i < count; i++) {
    napi_value el;
    xs_bytes b;
    if (napi_get_element(env, arr, start + i, &el) != napi_ok) return XS_THROWN;
    if (!xs_bytes_get(env, el, &b)) {
      char msg[128];
      snprintf(msg, sizeof msg, "The \"%s[%u]\" argument must be a TypedArray", name, start + i);
      napi_throw_type_error(env, "ERR_XSOCK_INVALID_ARG_TYPE", msg);
      return XS_THROWN;
    }
    iov[i].iov_base = b.data;
    iov[i].iov_len = b.len;
  }
  return 0;
}

/* The whole array as an iovec list (sendmsg/recvmsg): -EINVAL beyond UIO_MAXIOV. A single
 * view stands for a list of one: the common case pays no array walk. */
static int load_iov(napi_env env, napi_value arr, struct iovec *iov, uint32_t *count) {
  xs_bytes one;
  if (xs_bytes_get(env, arr, &one)) {
    iov[0].iov_base = one.data;
    iov[0].iov_len = one.len;
    *count = 1;
    return 0;
  }
  int rc = array_len(env, arr, "iov", count);
  if (rc != 0) return rc;
  if (*count > XS_MAX_IOV) return -EINVAL;
  return fill_views(env, arr, "iov", 0, *count, iov);
}

/* addr/control with an explicit length: null means "none", otherwise len must fit. */
static bool opt_view(const xs_bytes *b, int32_t len, void **p, size_t *n) {
  if (b->is_null) {
    *p = NULL;
    *n = 0;
    return true;
  }
  if (len < 0 || (size_t)len > b->len) return false;
  *p = len ? b->data : NULL;
  *n = (size_t)len;
  return true;
}

/* sendmsg(2) */
static napi_value js_sendmsg(napi_env env, napi_callback_info info) {
  napi_value a[7];
  int32_t fd, addrlen, controllen, flags;
  xs_bytes addr, control;
  if (!xs_args(env, info, 7, a) || !xs_int(env, a[0], "fd", &fd) ||
      !xs_bytes_arg(env, a[2], "addr", true, &addr) || !xs_int(env, a[3], "addrlen", &addrlen) ||
      !xs_bytes_arg(env, a[4], "control", true, &control) ||
      !xs_int(env, a[5], "controllen", &controllen) || !xs_int(env, a[6], "flags", &flags))
    return NULL;

  struct iovec iov[XS_MAX_IOV];
  uint32_t count;
  int rc = load_iov(env, a[1], iov, &count);
  if (rc == XS_THROWN) return NULL;
  if (rc < 0) return xs_num(env, rc);

  struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)count };
  size_t namelen;
  if (!opt_view(&addr, addrlen, &m.msg_name, &namelen) ||
      !opt_view(&control, controllen, &m.msg_control, &m.msg_controllen))
    return xs_num(env, -EINVAL);
  m.msg_namelen = (socklen_t)namelen;
  ssize_t r = XS_RETRY(sendmsg(fd, &m, flags | MSG_NOSIGNAL | MSG_DONTWAIT));
  return xs_num(env, XS_RESULT(r));
}

/* recvmsg(2) */
static napi_value js_recvmsg(napi_env env, napi_callback_info info) {
  napi_value a[5];
  int32_t fd, flags;
  xs_bytes addr, control;
  if (!xs_args(env, info, 5, a) || !xs_int(env, a[0], "fd", &fd) ||
      !xs_bytes_arg(env, a[2], "addr", true, &addr) ||
      !xs_bytes_arg(env, a[3], "control", true, &control) || !xs_int(env, a[4], "flags", &flags))
    return NULL;

  struct iovec iov[XS_MAX_IOV];
  uint32_t count;
  int rc = load_iov(env, a[1], iov, &count);
  if (rc == XS_THROWN) return NULL;
  if (rc < 0) return xs_num(env, rc);

  struct msghdr m = {
    .msg_iov = iov,
    .msg_iovlen = (size_t)count,
    .msg_name = addr.len ? addr.data : NULL,
    .msg_namelen = addr.len > INT32_MAX ? INT32_MAX : (socklen_t)addr.len,
    .msg_control = control.len ? control.data : NULL,
    .msg_controllen = control.len,
  };
  if (m.msg_name == NULL) m.msg_namelen = 0;
  if (m.msg_control == NULL) m.msg_controllen = 0;
  ssize_t r = XS_RETRY(recvmsg(fd, &m, flags | MSG_DONTWAIT));
  if (r >= 0) {
    int32_t *s = xs_state_of(env)->scratch;
    s[0] = (int32_t)m.msg_namelen;
    s[1] = (int32_t)m.msg_controllen;
    s[2] = XS_MSG_FLAGS(m.msg_flags);
  }
  return xs_num(env, XS_RESULT(r));
}

/* Stack storage for small batches, one malloc for large ones. */
typedef struct {
  struct mmsghdr hs[XS_MMSG_STACK];
  struct iovec iov[XS_MMSG_STACK];
} mmsg_stack;

static bool mmsg_arrays(mmsg_stack *stk, int64_t count, struct mmsghdr **hs, struct iovec **iov) {
  if (count <= XS_MMSG_STACK) {
    *hs = stk->hs;
    *iov = stk->iov;
    return true;
  }
  void *p = calloc((size_t)count, sizeof(struct mmsghdr) + sizeof(struct iovec));
  if (p == NULL) return false;
  *hs = p;
  *iov = (struct iovec *)((struct mmsghdr *)p + count);
  return true;
}

static void mmsg_free(mmsg_stack *stk, struct mmsghdr *hs) {
  if (hs != stk->hs) free(hs);
}

/* The one sendmmsg(2) of both batch forms: message i is iov[i], every one to `name`. Frees
 * the arrays. */
static int64_t send_views(int fd, mmsg_stack *stk, struct mmsghdr *hs, struct iovec *iov,
                          unsigned int count, void *name, size_t namelen, int flags) {
  for (unsigned int i = 0; i < count; i++) {
    hs[i] = (struct mmsghdr){
      .msg_hdr = { .msg_name = name, .msg_namelen = (socklen_t)namelen,
                   .msg_iov = &iov[i], .msg_iovlen = 1 },
    };
  }
  int r = XS_RETRY(sendmmsg(fd, hs, count, flags | MSG_NOSIGNAL | MSG_DONTWAIT));
  int64_t res = XS_RESULT(r);
  mmsg_free(stk, hs);
  return res;
}

/* sendmmsg(2) */
static napi_value js_sendmmsg(napi_env env, napi_callback_info info) {
  napi_value a[7];
  int32_t fd, addrlen, flags;
  int64_t start, count;
  xs_bytes addr;
  if (!xs_args(env, info, 7, a) || !xs_int(env, a[0], "fd", &fd) ||
      !xs_i64(env, a[2], "start", &start) || !xs_i64(env, a[3], "count", &count) ||
      !xs_bytes_arg(env, a[4], "addr", true, &addr) || !xs_int(env, a[5], "addrlen", &addrlen) ||
      !xs_int(env, a[6], "flags", &flags))
    return NULL;
  uint32_t n;
  int rc = array_len(env, a[1], "msgs", &n);
  if (rc != 0) return NULL;
  /* Validate everything before allocating, so failures need no cleanup. */
  void *name;
  size_t namelen;
  if (count < 0 || count > XS_MAX_MMSG || start < 0 || start > (int64_t)n - count ||
      !opt_view(&addr, addrlen, &name, &namelen))
    return xs_num(env, -EINVAL);

  mmsg_stack stk;
  struct mmsghdr *hs;
  struct iovec *iov;
  if (!mmsg_arrays(&stk, count, &hs, &iov)) return xs_num(env, -ENOMEM);
  if (fill_views(env, a[1], "msgs", (uint32_t)start, (uint32_t)count, iov) != 0) {
    mmsg_free(&stk, hs);
    return NULL;
  }
  return xs_num(env, send_views(fd, &stk, hs, iov, (unsigned int)count, name, namelen, flags));
}

/* sendmmsg(2) of messages packed back to back in one view: message i is the lens[i] bytes
 * after message i-1. Small messages cost a copy in JavaScript this way instead of two
 * Node-API calls each (an element read and a view lookup), which cost more. */
static napi_value js_sendmmsg_packed(napi_env env, napi_callback_info info) {
  napi_value a[7];
  int32_t fd, count, addrlen, flags;
  xs_bytes data, addr;
  napi_typedarray_type lt;
  size_t nlens;
  void *lp;
  if (!xs_args(env, info, 7, a) || !xs_int(env, a[0], "fd", &fd) ||
      !xs_bytes_arg(env, a[1], "data", false, &data))
    return NULL;
  /* lens is read as int32 words, so only an Int32Array has the right layout. */
  if (napi_get_typedarray_info(env, a[2], &lt, &nlens, &lp, NULL, NULL) != napi_ok ||
      lt != napi_int32_array) {
    napi_throw_type_error(env, "ERR_XSOCK_INVALID_ARG_TYPE",
                          "The \"lens\" argument must be an Int32Array");
    return NULL;
  }
  if (!xs_int(env, a[3], "count", &count) || !xs_bytes_arg(env, a[4], "addr", true, &addr) ||
      !xs_int(env, a[5], "addrlen", &addrlen) || !xs_int(env, a[6], "flags", &flags))
    return NULL;
  void *name;
  size_t namelen;
  if (count < 0 || count > XS_MAX_MMSG || (size_t)count > nlens ||
      !opt_view(&addr, addrlen, &name, &namelen))
    return xs_num(env, -EINVAL);
  /* Every message must lie inside the view: checked before anything is allocated. */
  const int32_t *lens = lp;
  uint64_t total = 0;
  for (int32_t i = 0; i < count; i++) {
    if (lens[i] < 0) return xs_num(env, -EINVAL);
    total += (uint64_t)lens[i];
  }
  if (total > data.len) return xs_num(env, -EINVAL);

  mmsg_stack stk;
  struct mmsghdr *hs;
  struct iovec *iov;
  if (!mmsg_arrays(&stk, count, &hs, &iov)) return xs_num(env, -ENOMEM);
  size_t off = 0;
  for (int32_t i = 0; i < count; i++) {
    iov[i].iov_base = data.data ? data.data + off : NULL;
    iov[i].iov_len = (size_t)lens[i];
    off += (size_t)lens[i];
  }
  return xs_num(env, send_views(fd, &stk, hs, iov, (unsigned int)count, name, namelen, flags));
}

/* recvmmsg(2) */
static napi_value js_recvmmsg(napi_env env, napi_callback_info info) {
  napi_value a[9];
  int32_t fd, count, flags;
  int64_t slot, cslot;
  xs_bytes data, addrs, control;
  napi_typedarray_type ot;
  size_t olen;
  void *odata;
  if (!xs_args(env, info, 9, a) || !xs_int(env, a[0], "fd", &fd) ||
      !xs_bytes_arg(env, a[1], "data", false, &data) || !xs_i64(env, a[2], "slot", &slot) ||
      !xs_int(env, a[3], "count", &count))
    return NULL;
  /* out is written as int32 words, so only an Int32Array has the right layout. */
  if (napi_get_typedarray_info(env, a[4], &ot, &olen, &odata, NULL, NULL) != napi_ok ||
      ot != napi_int32_array) {
    napi_throw_type_error(env, "ERR_XSOCK_INVALID_ARG_TYPE",
                          "The \"out\" argument must be an Int32Array");
    return NULL;
  }
  if (!xs_bytes_arg(env, a[5], "addrs", true, &addrs) ||
      !xs_bytes_arg(env, a[6], "control", true, &control) ||
      !xs_i64(env, a[7], "controlSlot", &cslot) || !xs_int(env, a[8], "flags", &flags))
    return NULL;

  /* Every per-message window must lie inside its view; 64-bit products cannot overflow
   * because count <= 1024 and slots are checked against a size_t byte length. */
  if (count < 0 || count > XS_MAX_MMSG || slot < 0 || slot > INT32_MAX ||
      (uint64_t)slot * (uint64_t)count > data.len || olen < (size_t)count * 4 ||
      (!addrs.is_null && addrs.len < (size_t)count * XS_ADDR_SLOT))
    return xs_num(env, -EINVAL);
  if (control.is_null) cslot = 0;
  else if (cslot < 0 || cslot > INT32_MAX || (uint64_t)cslot * (uint64_t)count > control.len)
    return xs_num(env, -EINVAL);

  mmsg_stack stk;
  struct mmsghdr *hs;
  struct iovec *iov;
  if (!mmsg_arrays(&stk, count, &hs, &iov)) return xs_num(env, -ENOMEM);
  for (int32_t i = 0; i < count; i++) {
    iov[i].iov_base = data.data ? data.data + (size_t)i * (size_t)slot : NULL;
    iov[i].iov_len = (size_t)slot;
    bool has_addr = !addrs.is_null && addrs.data != NULL;
    bool has_ctl = cslot > 0 && control.data != NULL;
    hs[i] = (struct mmsghdr){
      .msg_hdr = {
        .msg_iov = &iov[i],
        .msg_iovlen = 1,
        .msg_name = has_addr ? addrs.data + (size_t)i * XS_ADDR_SLOT : NULL,
        .msg_namelen = has_addr ? XS_ADDR_SLOT : 0,
        .msg_control = has_ctl ? control.data + (size_t)i * (size_t)cslot : NULL,
        .msg_controllen = has_ctl ? (size_t)cslot : 0,
      },
    };
  }
  int r = XS_RETRY(recvmmsg(fd, hs, (unsigned int)count, flags | MSG_DONTWAIT, NULL));
  int64_t res = XS_RESULT(r);
  if (r > 0) {
    int32_t *out = odata;
    for (int i = 0; i < r; i++) {
      out[i * 4 + 0] = (int32_t)hs[i].msg_len;
      out[i * 4 + 1] = XS_MSG_FLAGS(hs[i].msg_hdr.msg_flags);
      out[i * 4 + 2] = (int32_t)hs[i].msg_hdr.msg_namelen;
      out[i * 4 + 3] = (int32_t)hs[i].msg_hdr.msg_controllen;
    }
  }
  mmsg_free(&stk, hs);
  return xs_num(env, res);
}

napi_status xs_register_msg(napi_env env, napi_value exports) {
  static const napi_property_descriptor d[] = {
    XS_FN("sendmsg", js_sendmsg),
    XS_FN("recvmsg", js_recvmsg),
    XS_FN("sendmmsg", js_sendmmsg),
    XS_FN("sendmmsgPacked", js_sendmmsg_packed),
    XS_FN("recvmmsg", js_recvmmsg),
  };
  return napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
