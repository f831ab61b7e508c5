/*
 * Descriptors owned by the environment's live Sockets.
 *
 * A worker killed with terminate() runs no more JavaScript: no close(), no
 * FinalizationRegistry. Only the environment's cleanup hook still runs, in C, so the
 * fds its Sockets owned are recorded here (set on creation/adoption, cleared on close or
 * detach) and closed by that hook. The record is bookkeeping, not policy: JS decides
 * ownership, C only remembers it past the point where JS can act.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xsock.h"

static bool grow(xs_state *st, size_t need) {
  size_t n = st->owned_bytes ? st->owned_bytes : 128;
  while (n < need) n *= 2;
  uint8_t *p = realloc(st->owned, n);
  if (p == NULL) return false;
  memset(p + st->owned_bytes, 0, n - st->owned_bytes);
  st->owned = p;
  st->owned_bytes = n;
  return true;
}

/* own(fd, 1 | 0): records (or forgets) that a live Socket owns fd. No syscall. */
static napi_value js_own(napi_env env, napi_callback_info info) {
  napi_value a[2];
  int32_t fd, on;
  if (!xs_args(env, info, 2, a) || !xs_int(env, a[0], "fd", &fd) || !xs_int(env, a[1], "on", &on)) return NULL;
  if (fd < 0) return xs_num(env, -EBADF);
  xs_state *st = xs_state_of(env);
  size_t byte = (size_t)fd / 8;
  if (byte >= st->owned_bytes) {
    if (!on) return xs_num(env, 0);
    if (!grow(st, byte + 1)) return xs_num(env, -ENOMEM);
  }
  if (on) st->owned[byte] |= (uint8_t)(1u << (fd % 8));
  else st->owned[byte] &= (uint8_t)~(1u << (fd % 8));
  return xs_num(env, 0);
}

void xs_owned_close_all(xs_state *st) {
  for (size_t i = 0; i < st->owned_bytes; i++) {
    if (st->owned[i] == 0) continue;
    for (int b = 0; b < 8; b++)
      if (st->owned[i] & (1u << b)) close((int)(i * 8 + b));
  }
  free(st->owned);
  st->owned = NULL;
  st->owned_bytes = 0;
}

napi_status xs_register_owned(napi_env env, napi_value exports) {
  static const napi_property_descriptor d[] = { XS_FN("own", js_own) };
  return napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
