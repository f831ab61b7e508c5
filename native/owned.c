/*
 * Descriptors owned by the environment's live Sockets.
 *
 * A worker killed with terminate() runs no more JavaScript: no close(), no
 * FinalizationRegistry. Only the environment's cleanup hook still runs, in C, so the
 * fds its Sockets owned are recorded (set on creation/adoption, cleared on close or
 * detach) and closed by that hook. The record is bookkeeping, not policy: JS decides
 * ownership, C only remembers it past the point where JS can act.
 *
 * The record is a bitmap JavaScript owns and writes directly (src/socket/owned.ts), so
 * creating, accepting or receiving a descriptor costs no crossing into native code; it is
 * handed over here only when it is made or grows. The strong reference keeps its
 * (off-heap, never moved) backing store alive for the cached pointer.
 */
#include <unistd.h>

#include "xsock.h"

/* ownTable(bitmap): the Uint8Array whose bit fd is set while a live Socket owns fd. No syscall. */
static napi_value js_own_table(napi_env env, napi_callback_info info) {
  napi_value a[1];
  napi_typedarray_type t;
  size_t n;
  void *data;
  if (!xs_args(env, info, 1, a)) return NULL;
  if (napi_get_typedarray_info(env, a[0], &t, &n, &data, NULL, NULL) != napi_ok ||
      t != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_XSOCK_INVALID_ARG_TYPE",
                          "The \"bitmap\" argument must be a Uint8Array");
    return NULL;
  }
  napi_ref ref;
  if (napi_create_reference(env, a[0], 1, &ref) != napi_ok) return NULL;
  xs_state *st = xs_state_of(env);
  if (st->owned_ref) napi_delete_reference(env, st->owned_ref);
  st->owned_ref = ref;
  st->owned = n ? data : NULL;
  st->owned_bytes = n;
  return xs_num(env, 0);
}

void xs_owned_close_all(xs_state *st) {
  for (size_t i = 0; i < st->owned_bytes; i++) {
    if (st->owned[i] == 0) continue;
    for (int b = 0; b < 8; b++)
      if (st->owned[i] & (1u << b)) close((int)(i * 8 + b));
    st->owned[i] = 0;
  }
  /* The bitmap is JavaScript's; its reference goes with the instance data (addon.c). */
  st->owned = NULL;
  st->owned_bytes = 0;
}

napi_status xs_register_owned(napi_env env, napi_value exports) {
  static const napi_property_descriptor d[] = { XS_FN("ownTable", js_own_table) };
  return napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
