/*
 * The shape of a constants table: CV(name, value) and C(NAME) set one integer property of
 * `obj` inside a function that declares `napi_status s` and returns it on failure. Shared by
 * constants.c (the core table) and domains.c (the other domains' names).
 */
#ifndef XSOCK_CONSTANT_TABLE_H
#define XSOCK_CONSTANT_TABLE_H

#include <node_api.h>
#include <stdint.h>

static inline napi_status xs_put_constant(napi_env env, napi_value obj, const char *name, int64_t value) {
  napi_value v;
  napi_status s = napi_create_int64(env, value, &v);
  return s == napi_ok ? napi_set_named_property(env, obj, name, v) : s;
}

#define CV(name, value) \
  do { if ((s = xs_put_constant(env, obj, name, (int64_t)(value))) != napi_ok) return s; } while (0)
#define C(name) CV(#name, name)

#endif
