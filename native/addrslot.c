/*
 * The environment's two address slots: the destination connect(2) reads and the peer
 * address accept4(2) writes. They are Uint8Arrays JavaScript owns and registers once (as
 * it does scratch), so a busy connect/accept loop passes plain numbers: getting a view's
 * pointer through Node-API costs about as much as the rest of such a call. The strong
 * references keep their (off-heap, never moved) backing stores alive for the cached
 * pointers, which are read or written only within the slot's byte length.
 */
#include <stdio.h>
#include <sys/socket.h>

#include "xsock.h"

static bool slot_set(napi_env env, napi_value v, const char *name, xs_slot *s) {
  napi_typedarray_type t;
  size_t n;
  void *data;
  if (napi_get_typedarray_info(env, v, &t, &n, &data, NULL, NULL) != napi_ok ||
      t != napi_uint8_array || n == 0) {
    char msg[96];
    snprintf(msg, sizeof msg, "The \"%s\" argument must be a non-empty Uint8Array", name);
    napi_throw_type_error(env, "ERR_XSOCK_INVALID_ARG_TYPE", msg);
    return false;
  }
  napi_ref ref;
  if (napi_create_reference(env, v, 1, &ref) != napi_ok) return false;
  if (s->ref) napi_delete_reference(env, s->ref);
  s->ref = ref;
  s->data = data;
  s->len = n;
  return true;
}

/* addressSlots(dest, peer): registers the two slots. No syscall. */
static napi_value js_address_slots(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (!xs_args(env, info, 2, a)) return NULL;
  xs_state *st = xs_state_of(env);
  if (!slot_set(env, a[0], "dest", &st->slot_dest) || !slot_set(env, a[1], "peer", &st->slot_peer))
    return NULL;
  return xs_num(env, 0);
}

/* connectSlot(fd, addrlen): connect(2) to dest[0, addrlen). -EINVAL when no slot holds that many bytes. */
static napi_value js_connect_slot(napi_env env, napi_callback_info info) {
  napi_value a[2];
  int32_t fd, addrlen;
  if (!xs_args(env, info, 2, a) || !xs_int(env, a[0], "fd", &fd) || !xs_int(env, a[1], "addrlen", &addrlen))
    return NULL;
  const xs_slot *s = &xs_state_of(env)->slot_dest;
  if (s->data == NULL || addrlen < 0 || (size_t)addrlen > s->len) return xs_num(env, -EINVAL);
  int r = XS_RETRY(connect(fd, (const struct sockaddr *)s->data, (socklen_t)addrlen));
  return xs_num(env, XS_RESULT(r));
}

/* acceptSlot(fd): accept4(2) with SOCK_NONBLOCK|SOCK_CLOEXEC, the peer's address into the
 * peer slot and its addrlen into scratch[0] (0: no slot, no address asked for). */
static napi_value js_accept_slot(napi_env env, napi_callback_info info) {
  napi_value a[1];
  int32_t fd;
  if (!xs_args(env, info, 1, a) || !xs_int(env, a[0], "fd", &fd)) return NULL;
  xs_state *st = xs_state_of(env);
  const xs_slot *s = &st->slot_peer;
  struct sockaddr *sa = (struct sockaddr *)s->data;
  socklen_t alen = s->len > INT32_MAX ? INT32_MAX : (socklen_t)s->len;
  int r = XS_RETRY(accept4(fd, sa, sa ? &alen : NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
  if (r >= 0) st->scratch[0] = sa ? (int32_t)alen : 0;
  return xs_num(env, XS_RESULT(r));
}

void xs_slots_release(napi_env env, xs_state *st) {
  xs_slot *slots[2] = { &st->slot_dest, &st->slot_peer };
  for (int i = 0; i < 2; i++) {
    if (slots[i]->ref) napi_delete_reference(env, slots[i]->ref);
    slots[i]->ref = NULL;
    slots[i]->data = NULL;
    slots[i]->len = 0;
  }
}

napi_status xs_register_addrslot(napi_env env, napi_value exports) {
  static const napi_property_descriptor d[] = {
    XS_FN("addressSlots", js_address_slots),
    XS_FN("connectSlot", js_connect_slot),
    XS_FN("acceptSlot", js_accept_slot),
  };
  return napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
