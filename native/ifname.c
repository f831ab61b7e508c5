/*
 * Interface name <-> index: if_nametoindex(3) and if_indextoname(3). Each opens a
 * short-lived socket and issues one SIOCGIFINDEX/SIOCGIFNAME ioctl, never blocking; they
 * answer for the calling thread's network namespace, which /sys/class/net may not show.
 */
#include <net/if.h>
#include <string.h>

#include "xsock.h"

/* if_nametoindex(3): name as a NUL-terminated byte view; returns the index or -errno. */
static napi_value js_if_nametoindex(napi_env env, napi_callback_info info) {
  napi_value a[1];
  xs_bytes name;
  if (!xs_args(env, info, 1, a) || !xs_bytes_arg(env, a[0], "name", false, &name)) return NULL;
  /* The name must end inside the view, so the C library never reads past it. */
  if (name.data == NULL || memchr(name.data, 0, name.len) == NULL) return xs_num(env, -EINVAL);
  errno = 0;
  unsigned idx = if_nametoindex((const char *)name.data);
  return xs_num(env, idx ? (int64_t)idx : -(int64_t)(errno ? errno : ENODEV));
}

/* if_indextoname(3): writes the NUL-terminated name into out (at least IF_NAMESIZE bytes);
 * returns its length or -errno. */
static napi_value js_if_indextoname(napi_env env, napi_callback_info info) {
  napi_value a[2];
  uint32_t idx;
  xs_bytes out;
  if (!xs_args(env, info, 2, a) || !xs_uint(env, a[0], "index", &idx) ||
      !xs_bytes_arg(env, a[1], "out", false, &out))
    return NULL;
  if (out.data == NULL || out.len < IF_NAMESIZE) return xs_num(env, -EINVAL);
  if (if_indextoname(idx, (char *)out.data) == NULL) return xs_num(env, -(int64_t)errno);
  return xs_num(env, (int64_t)strnlen((const char *)out.data, IF_NAMESIZE));
}

napi_status xs_register_ifname(napi_env env, napi_value exports) {
  static const napi_property_descriptor d[] = {
    XS_FN("ifNameToIndex", js_if_nametoindex),
    XS_FN("ifIndexToName", js_if_indextoname),
  };
  return napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
