/*
 * errno names and messages.
 *
 * One X-macro table feeds both errnoName() and the E* entries of `constants`, so the
 * two can never disagree. It lists every Linux errno (1..133) by its canonical name;
 * the aliases (EWOULDBLOCK, EDEADLOCK, ENOTSUP) share a value with an entry and would
 * make the switch ambiguous, so they appear only as extra constants.
 */
#include <string.h>

#include "xsock.h"

#define XS_ERRNOS(X) \
  X(EPERM) X(ENOENT) X(ESRCH) X(EINTR) X(EIO) X(ENXIO) \
  X(E2BIG) X(ENOEXEC) X(EBADF) X(ECHILD) X(EAGAIN) X(ENOMEM) \
  X(EACCES) X(EFAULT) X(ENOTBLK) X(EBUSY) X(EEXIST) X(EXDEV) \
  X(ENODEV) X(ENOTDIR) X(EISDIR) X(EINVAL) X(ENFILE) X(EMFILE) \
  X(ENOTTY) X(ETXTBSY) X(EFBIG) X(ENOSPC) X(ESPIPE) X(EROFS) \
  X(EMLINK) X(EPIPE) X(EDOM) X(ERANGE) X(EDEADLK) X(ENAMETOOLONG) \
  X(ENOLCK) X(ENOSYS) X(ENOTEMPTY) X(ELOOP) X(ENOMSG) X(EIDRM) \
  X(ECHRNG) X(EL2NSYNC) X(EL3HLT) X(EL3RST) X(ELNRNG) X(EUNATCH) \
  X(ENOCSI) X(EL2HLT) X(EBADE) X(EBADR) X(EXFULL) X(ENOANO) \
  X(EBADRQC) X(EBADSLT) X(EBFONT) X(ENOSTR) X(ENODATA) X(ETIME) \
  X(ENOSR) X(ENONET) X(ENOPKG) X(EREMOTE) X(ENOLINK) X(EADV) \
  X(ESRMNT) X(ECOMM) X(EPROTO) X(EMULTIHOP) X(EDOTDOT) X(EBADMSG) \
  X(EOVERFLOW) X(ENOTUNIQ) X(EBADFD) X(EREMCHG) X(ELIBACC) X(ELIBBAD) \
  X(ELIBSCN) X(ELIBMAX) X(ELIBEXEC) X(EILSEQ) X(ERESTART) X(ESTRPIPE) \
  X(EUSERS) X(ENOTSOCK) X(EDESTADDRREQ) X(EMSGSIZE) X(EPROTOTYPE) X(ENOPROTOOPT) \
  X(EPROTONOSUPPORT) X(ESOCKTNOSUPPORT) X(EOPNOTSUPP) X(EPFNOSUPPORT) X(EAFNOSUPPORT) \
  X(EADDRINUSE) X(EADDRNOTAVAIL) X(ENETDOWN) X(ENETUNREACH) X(ENETRESET) \
  X(ECONNABORTED) X(ECONNRESET) X(ENOBUFS) X(EISCONN) X(ENOTCONN) X(ESHUTDOWN) \
  X(ETOOMANYREFS) X(ETIMEDOUT) X(ECONNREFUSED) X(EHOSTDOWN) X(EHOSTUNREACH) \
  X(EALREADY) X(EINPROGRESS) X(ESTALE) X(EUCLEAN) X(ENOTNAM) X(ENAVAIL) X(EISNAM) \
  X(EREMOTEIO) X(EDQUOT) X(ENOMEDIUM) X(EMEDIUMTYPE) X(ECANCELED) X(ENOKEY) \
  X(EKEYEXPIRED) X(EKEYREVOKED) X(EKEYREJECTED) X(EOWNERDEAD) X(ENOTRECOVERABLE) \
  X(ERFKILL) X(EHWPOISON)

static const char *xs_errno_name(int err) {
  /* A switch lets the compiler reject a duplicated value in the table. */
#define XS_CASE(e) case e: return #e;
  switch (err) {
    XS_ERRNOS(XS_CASE)
    default: return NULL;
  }
#undef XS_CASE
}

static napi_status put(napi_env env, napi_value obj, const char *name, int value) {
  napi_value v;
  napi_status s = napi_create_int32(env, value, &v);
  return s == napi_ok ? napi_set_named_property(env, obj, name, v) : s;
}

napi_status xs_errno_constants(napi_env env, napi_value obj) {
  napi_status s;
#define XS_PUT(e) if ((s = put(env, obj, #e, e)) != napi_ok) return s;
  XS_ERRNOS(XS_PUT)
  XS_PUT(EWOULDBLOCK)
  XS_PUT(EDEADLOCK)
  XS_PUT(ENOTSUP)
#undef XS_PUT
  return napi_ok;
}

/* errnoName(errno): table lookup, '' when unknown. */
static napi_value js_errno_name(napi_env env, napi_callback_info info) {
  napi_value argv[1], r;
  int32_t err;
  if (!xs_args(env, info, 1, argv) || !xs_int(env, argv[0], "errno", &err)) return NULL;
  const char *name = xs_errno_name(err);
  napi_create_string_utf8(env, name ? name : "", NAPI_AUTO_LENGTH, &r);
  return r;
}

/* strerror(errno): strerror_r(3). The _r form because workers call this concurrently;
 * the GNU variant returns the message pointer (possibly a static string, not buf). */
static napi_value js_strerror(napi_env env, napi_callback_info info) {
  napi_value argv[1], r;
  int32_t err;
  char buf[256];
  if (!xs_args(env, info, 1, argv) || !xs_int(env, argv[0], "errno", &err)) return NULL;
  const char *msg = strerror_r(err, buf, sizeof buf);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &r);
  return r;
}

napi_status xs_register_errno(napi_env env, napi_value exports) {
  static const napi_property_descriptor d[] = {
    XS_FN("errnoName", js_errno_name),
    XS_FN("strerror", js_strerror),
  };
  return napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
